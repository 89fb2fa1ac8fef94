#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import Synchronization
import UnixSignals

/// SIGTERM and SIGINT for the whole life of the process, trapped from the first line of `main` on.
///
/// Why not only the `ServiceGroup`'s own signal handling: that starts when the group runs, after the
/// configuration, the clients and the start-up connection retries; a signal before that (an orchestrator
/// stopping a service that cannot reach Kafka) killed the process by the signal, with no log line. Here
/// the first signal is recorded whenever it comes and handed to whatever the process is doing then
/// (`onSignal`): the start-up is cancelled, or the graceful shutdown starts. A second signal exits at
/// once with status 130, committing nothing more (at-least-once still holds: uncommitted work is
/// redelivered).
public final class ShutdownSignals: Sendable {
    private struct State {
        var received: UnixSignal?
        var count = 0
        var handler: (@Sendable (UnixSignal) -> Void)?
        var logger: Logger?
    }

    private let state = Mutex(State())
    private let listener = Mutex<Task<Void, Never>?>(nil)

    private init() {}

    /// Starts trapping SIGTERM and SIGINT: from when this returns, neither kills the process.
    public static func trap() async -> ShutdownSignals {
        let signals = ShutdownSignals()
        // Registered before `init` returns (the sequence awaits its sources' registration).
        let sequence = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        let listener = Task {
            for await signal in sequence { signals.receive(signal) }
        }
        signals.listener.withLock { $0 = listener }
        return signals
    }

    /// Stops listening (for an app run inside a test process; the dispositions stay as Dispatch set them).
    public func stopListening() {
        listener.withLock { $0 }?.cancel()
    }

    /// The first signal received so far, if any.
    public var received: UnixSignal? { state.withLock { $0.received } }

    /// Where the second-signal warning goes (set once logging is configured).
    public func setLogger(_ logger: Logger) {
        state.withLock { $0.logger = logger }
    }

    /// Makes `handler` the reaction to the first signal, replacing the previous one. If the signal came
    /// already, `handler` runs at once too: a signal between two phases reaches the later one.
    public func onSignal(_ handler: @escaping @Sendable (UnixSignal) -> Void) {
        let already = state.withLock { state -> UnixSignal? in
            state.handler = handler
            return state.received
        }
        if let already { handler(already) }
    }

    func receive(_ signal: UnixSignal) {
        let (count, handler, logger) = state.withLock { state in
            state.count += 1
            if state.received == nil { state.received = signal }
            return (state.count, state.handler, state.logger)
        }
        if count == 1 {
            handler?(signal)
        } else {
            logger?.warning("Second \(signal) received: exiting immediately")
            exit(130)
        }
    }
}
