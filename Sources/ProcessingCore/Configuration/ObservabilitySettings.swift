/// The settings of the service's HTTP server (health, readiness, metrics, status page) and its progress log
/// line: `HTTP_ENABLED`, `HTTP_HOST`, `HTTP_PORT`, `PROGRESS_LOG_INTERVAL`.
///
/// Kept apart from the Kafka and processing settings (it is read by the `Observability` target, which
/// `ProcessingCore` does not depend on); `ServiceConfiguration.observability` holds the loaded value.
public struct ObservabilitySettings: Sendable, Equatable {
    /// `HTTP_ENABLED`: serve `/healthz`, `/readyz`, `/metrics`, `/status` and `/`. Default `true`.
    public var httpEnabled: Bool
    /// `HTTP_HOST`: the address the HTTP server binds. Default `0.0.0.0` (every IPv4 interface).
    public var httpHost: String
    /// `HTTP_PORT`: the HTTP server's port; `0` picks any free port (logged at start-up). Default `8080`.
    public var httpPort: Int
    /// `PROGRESS_LOG_INTERVAL`: how often the `Progress` line is logged at info; zero turns it off.
    /// Default 30 s.
    public var progressLogInterval: Duration

    public init(httpEnabled: Bool, httpHost: String, httpPort: Int, progressLogInterval: Duration) {
        self.httpEnabled = httpEnabled
        self.httpHost = httpHost
        self.httpPort = httpPort
        self.progressLogInterval = progressLogInterval
    }

    /// The defaults, as used when nothing is configured.
    public static let defaults = ObservabilitySettings(
        httpEnabled: true, httpHost: "0.0.0.0", httpPort: 8080, progressLogInterval: .seconds(30))

    /// Reads the four variables, reporting every invalid value on `settings`.
    static func load(settings: inout LayeredSettings) -> ObservabilitySettings {
        let defaults = Self.defaults
        let enabled = settings.bool("HTTP_ENABLED", default: defaults.httpEnabled)
        let host = settings.string("HTTP_HOST", default: defaults.httpHost)
        var port = settings.integer("HTTP_PORT", default: defaults.httpPort, minimum: 0)
        if port > 65_535 {
            settings.report("HTTP_PORT", "\(port) is too large (expected a port from 0 to 65535; 0 = any free port)")
            port = defaults.httpPort
        }
        let interval = settings.duration("PROGRESS_LOG_INTERVAL", default: defaults.progressLogInterval, allowZero: true)
        return ObservabilitySettings(httpEnabled: enabled, httpHost: host, httpPort: port, progressLogInterval: interval)
    }
}
