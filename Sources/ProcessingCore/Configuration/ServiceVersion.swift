/// The version of the processing service, in one place.
///
/// Reported by `processing-service --version`, logged at start-up and written into dead-letter headers
/// (`dlq.service.version`), so a dead letter can be traced back to the build that produced it.
public enum ServiceVersion {
    /// The semantic version of this build.
    public static let current = "0.1.0"
}
