/// What the HTTP endpoints and the progress log read. Implementations answer from memory, quickly and
/// from any thread: an endpoint never waits for Kafka.
public protocol StatusSource: Sendable {
    /// The current snapshot (`/status`, the status page, the progress line).
    func status() -> ServiceStatus
    /// Liveness (`/healthz`): the process makes progress and has not hit a fatal error.
    func liveness() -> ProbeReport
    /// Readiness (`/readyz`): connected, a group member with a settled assignment, not shutting down.
    func readiness() -> ProbeReport
}
