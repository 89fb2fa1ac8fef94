/// How log lines are written (`LOG_FORMAT`).
public enum LogFormat: String, Sendable, Equatable, CaseIterable {
    /// One JSON object per line, for log shippers (`timestamp`, `level`, `logger`, `message`, `metadata`).
    case json
    /// The original service's human-readable form:
    /// `2024-01-15 10:30:45 - ProcessingService - INFO - Processing event: page_view key=value`.
    case text

    /// The format used when `LOG_FORMAT` is not set: JSON in production, text while developing.
    public static func defaultFormat(for environment: DeploymentEnvironment) -> LogFormat {
        environment == .production ? .json : .text
    }
}
