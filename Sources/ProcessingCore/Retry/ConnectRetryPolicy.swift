/// How the service tries to reach Kafka at start-up (`MAX_RETRIES` × `RETRY_DELAY`, as the original
/// service): a fixed number of attempts a fixed delay apart, each attempt logged, then a clear failure.
public struct ConnectRetryPolicy: Sendable, Equatable {
    /// Connection attempts in total (≥ 1), `MAX_RETRIES`.
    public var maxAttempts: Int
    /// The wait between two attempts (≥ 0), `RETRY_DELAY`.
    public var delay: Duration

    /// The original service's defaults: 5 attempts, 10 seconds apart.
    public static let `default` = ConnectRetryPolicy(maxAttempts: 5, delay: .seconds(10))

    public init(maxAttempts: Int, delay: Duration) {
        self.maxAttempts = max(1, maxAttempts)
        self.delay = max(.zero, delay)
    }

    /// Whether another attempt follows a failed attempt number `attempt` (1-based).
    public func shouldRetry(afterAttempt attempt: Int) -> Bool {
        attempt < maxAttempts
    }
}
