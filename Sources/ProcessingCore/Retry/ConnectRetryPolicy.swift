/// How the service tries to reach Kafka at start-up: `MAX_RETRIES` attempts in all, each waiting up to
/// `CONNECT_TIMEOUT` for a broker to answer, `RETRY_DELAY` apart, each failure logged, then a clear error.
///
/// So when no broker answers, giving up takes at most
/// `MAX_RETRIES × CONNECT_TIMEOUT + (MAX_RETRIES − 1) × RETRY_DELAY` (90 s with the defaults). An attempt
/// that gets an answer ends at once: a missing topic costs only the `RETRY_DELAY`s.
public struct ConnectRetryPolicy: Sendable, Equatable {
    /// Connection attempts in total (≥ 1), `MAX_RETRIES`.
    public var maxAttempts: Int
    /// The wait between two attempts (≥ 0), `RETRY_DELAY`.
    public var delay: Duration
    /// How long one attempt waits for a broker to answer (> 0), `CONNECT_TIMEOUT`.
    public var attemptTimeout: Duration

    /// The original service's defaults: 5 attempts, 10 seconds apart, each waiting up to 10 seconds.
    public static let `default` = ConnectRetryPolicy(maxAttempts: 5, delay: .seconds(10), attemptTimeout: .seconds(10))

    public init(maxAttempts: Int, delay: Duration, attemptTimeout: Duration = .seconds(10)) {
        self.maxAttempts = max(1, maxAttempts)
        self.delay = max(.zero, delay)
        self.attemptTimeout = max(.milliseconds(1), attemptTimeout)
    }

    /// Whether another attempt follows a failed attempt number `attempt` (1-based).
    public func shouldRetry(afterAttempt attempt: Int) -> Bool {
        attempt < maxAttempts
    }

    /// The longest start-up can take before giving up, when no attempt gets an answer.
    public var worstCaseDuration: Duration {
        attemptTimeout * maxAttempts + delay * (maxAttempts - 1)
    }
}
