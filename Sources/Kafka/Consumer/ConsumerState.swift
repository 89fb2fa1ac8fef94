import Dispatch
import Synchronization

/// The lock-protected `ConsumerStateMachine` shared by the public `KafkaConsumer` (any thread), the poll
/// thread and the metadata threads.
///
/// Lock rules: the lock is held only to run one state-machine method; no librdkafka call, delegate
/// call or logging happens while it is held, so it can never be part of a lock cycle with librdkafka's
/// internal locks.
final class ConsumerState: Sendable {
    private let machine = Mutex(ConsumerStateMachine())
    /// What observers read about the running consumer (health, metrics); written on the poll thread.
    let observations = ConsumerObservations()
    /// Parks the poll thread while `draining` until the last in-flight native call of another thread
    /// ended (signalled exactly once, by the `endNativeCall` that brings the count to zero).
    private let drainedSignal = DispatchSemaphore(value: 0)

    func withLock<Result>(_ body: (inout ConsumerStateMachine) -> Result) -> Result {
        machine.withLock { body(&$0) }
    }

    /// Ends a native call registered with `beginNativeCall` (or implied by a `.wakePollThread` action).
    func endNativeCall() {
        switch withLock({ $0.endNativeCall() }) {
        case .none: break
        case .resumeDrainingPollThread: drainedSignal.signal()
        }
    }

    /// Blocks the (dedicated) poll thread until the draining state ends.
    func waitUntilDrained() -> ConsumerStateMachine.RunCompletion {
        drainedSignal.wait()
        return withLock { $0.drained() }
    }
}
