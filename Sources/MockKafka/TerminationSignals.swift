import Dispatch
import UnixSignals

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns SIGINT and SIGTERM into a call, instead of the default abrupt death, with swift-service-lifecycle's
/// `UnixSignalsSequence` (dispatch signal sources: the handler is ordinary code on a task, not
/// async-signal-safe code).
enum TerminationSignals {
    /// Starts trapping the termination signals and returns once they are trapped, so that no signal that
    /// arrives after this call gets the default action. Call first thing in `main`, from the main thread
    /// (it waits for the registration, which must never happen on a cooperative-pool thread).
    static func handle(_ onSignal: @escaping @Sendable (Int32) -> Void) {
        // A closed stdout (parent gone) must end this process through write errors, not kill it mid-way.
        signal(SIGPIPE, SIG_IGN)
        let trapped = DispatchSemaphore(value: 0)
        Task.detached {
            let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
            trapped.signal()
            for await received in signals {
                onSignal(received.rawValue)
            }
        }
        trapped.wait()
    }
}
