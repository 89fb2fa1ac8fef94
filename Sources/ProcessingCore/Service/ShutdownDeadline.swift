import Synchronization

/// The instant by which the whole graceful shutdown must be over: `SHUTDOWN_TIMEOUT` after the signal
/// for in-flight events, plus `closeMargin` for closing (the final commit and LeaveGroup, the
/// dead-letter producer's flush). Set once, when the shutdown starts; read by every step after it.
public final class ShutdownDeadline: Sendable {
    /// What closing may take beyond `SHUTDOWN_TIMEOUT` (documented in README, "How delivery works").
    public static let closeMargin: Duration = .seconds(5)

    private let deadline = Mutex<ContinuousClock.Instant?>(nil)

    public init() {}

    /// Starts the clock (the first call wins). - Returns: the deadline.
    @discardableResult
    public func start(shutdownTimeout: Duration) -> ContinuousClock.Instant {
        deadline.withLock { deadline in
            if let deadline { return deadline }
            let instant = ContinuousClock.now + shutdownTimeout + Self.closeMargin
            deadline = instant
            return instant
        }
    }

    /// The deadline, once the shutdown started.
    public var instant: ContinuousClock.Instant? { deadline.withLock { $0 } }

    /// Time left until the deadline (zero once passed), or `fallback` when no shutdown started.
    public func remaining(or fallback: Duration) -> Duration {
        guard let instant else { return fallback }
        return max(.zero, instant - .now)
    }
}
