import Synchronization

/// What `operation` returns, or nil when `timeout` passed first: a hang bound for awaiting something that
/// cannot be cancelled (a task's value, a child's exit), never a performance expectation.
///
/// Unstructured on purpose: a task group would, after the timeout, still wait for the operation child
/// task to end, which is exactly the hang being bounded. The operation keeps running after a timeout;
/// the caller decides what to do about it (kill a child, fail the test).
public func value<Value: Sendable>(
    within timeout: Duration, of operation: @escaping @Sendable () async -> Value
) async -> Value? {
    let answer = FirstAnswer<Value>()
    let result = await withCheckedContinuation { (continuation: CheckedContinuation<Value?, Never>) in
        answer.start(continuation)
        Task { answer.resume(with: await operation()) }
        answer.timer(Task {
            try await Task.sleep(for: timeout)
            answer.resume(with: nil)
        })
    }
    answer.cancelTimer()
    return result
}

/// Resumes one continuation with whichever answer comes first.
private final class FirstAnswer<Value: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Value?, Never>?
        var timer: Task<Void, any Error>?
    }

    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<Value?, Never>) {
        state.withLock { $0.continuation = continuation }
    }

    func timer(_ task: Task<Void, any Error>) {
        state.withLock { $0.timer = task }
    }

    func resume(with value: Value?) {
        let continuation = state.withLock { state in
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(returning: value)
    }

    func cancelTimer() {
        state.withLock { $0.timer }?.cancel()
    }
}
