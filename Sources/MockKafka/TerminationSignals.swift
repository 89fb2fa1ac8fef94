import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns SIGINT and SIGTERM into a call on a dedicated thread, instead of the default abrupt death.
///
/// The signals are blocked in the calling thread before any other thread exists (librdkafka's threads and
/// every thread started later inherit the mask), and one thread receives them synchronously with
/// `sigwait`, so the handler is ordinary code rather than async-signal-safe code.
enum TerminationSignals {
    /// Blocks the termination signals and starts the waiting thread. Call first thing in `main`.
    static func handle(_ onSignal: @escaping @Sendable (Int32) -> Void) {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        // A closed stdout (parent gone) must end this process through write errors, not kill it mid-way.
        signal(SIGPIPE, SIG_IGN)

        let waiter = SignalWaiter(signals: signals, onSignal: onSignal)
        // Runs for the life of the process.
        Thread { waiter.run() }.start()
    }
}

private final class SignalWaiter: @unchecked Sendable {
    // Immutable after init; only the signal thread reads it.
    private var signals: sigset_t
    private let onSignal: @Sendable (Int32) -> Void

    init(signals: sigset_t, onSignal: @escaping @Sendable (Int32) -> Void) {
        self.signals = signals
        self.onSignal = onSignal
    }

    func run() {
        while true {
            var received: Int32 = 0
            if sigwait(&signals, &received) == 0 {
                onSignal(received)
            }
        }
    }
}
