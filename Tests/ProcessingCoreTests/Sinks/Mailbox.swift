import Synchronization

/// Values posted by one side of a test (a sink, a release callback) and taken in order by the test, with a
/// bound on how long a take may wait: tests wait for the signal itself, never for a fixed time.
final class Mailbox<Value: Sendable>: Sendable {
    private struct State {
        var values: [Value] = []
        var waiter: (id: Int, continuation: CheckedContinuation<Value?, Never>)?
        var nextWaiterID = 0
    }

    private let state = Mutex(State())

    init() {}

    func post(_ value: Value) {
        let waiter = state.withLock { state -> CheckedContinuation<Value?, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter.continuation
            }
            state.values.append(value)
            return nil
        }
        waiter?.resume(returning: value)
    }

    /// The next value; throws `TimedOut` when none came within `limit` (a hang bound, not an expectation).
    func next(within limit: Duration = .seconds(30), _ what: String) async throws -> Value {
        let value: Value? = await withCheckedContinuation { continuation in
            let id = state.withLock { state -> Int? in
                if !state.values.isEmpty {
                    continuation.resume(returning: state.values.removeFirst())
                    return nil
                }
                state.nextWaiterID += 1
                state.waiter = (state.nextWaiterID, continuation)
                return state.nextWaiterID
            }
            guard let id else { return }
            Task {
                try? await Task.sleep(for: limit)
                let expired = self.state.withLock { state -> CheckedContinuation<Value?, Never>? in
                    guard let waiter = state.waiter, waiter.id == id else { return nil }
                    state.waiter = nil
                    return waiter.continuation
                }
                expired?.resume(returning: nil)
            }
        }
        guard let value else { throw TimedOut(what: what) }
        return value
    }
}

struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}
