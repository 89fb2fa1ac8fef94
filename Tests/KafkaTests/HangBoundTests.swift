import Synchronization
import Testing
import TestSupport

/// `value(within:of:)`, the hang bound of the test helpers (child exits, consumer runs).
@Suite("hang bound for uncancellable waits", .timeLimit(.minutes(1)))
struct HangBoundTests {
    /// A wait that ignores cancellation, like awaiting a task's value: it ends only when opened.
    final class Gate: Sendable {
        private let waiter = Mutex<CheckedContinuation<Void, Never>?>(nil)
        private let opened = Atomic(false)

        func wait() async {
            await withCheckedContinuation { continuation in
                let resumeNow = waiter.withLock { waiter -> Bool in
                    if opened.load(ordering: .acquiring) { return true }
                    waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }

        func open() {
            let continuation = waiter.withLock { waiter -> CheckedContinuation<Void, Never>? in
                opened.store(true, ordering: .releasing)
                defer { waiter = nil }
                return waiter
            }
            continuation?.resume()
        }
    }

    @Test("gives up on a wait that ignores cancellation (a task group would still wait for it)")
    func boundsAnUncancellableWait() async {
        let gate = Gate()
        let result = await value(within: .milliseconds(50), of: { await gate.wait(); return 1 })
        #expect(result == nil)
        gate.open()
    }

    @Test("returns the value when the operation finishes first")
    func returnsTheValue() async {
        #expect(await value(within: .seconds(30), of: { 42 }) == 42)
    }
}
