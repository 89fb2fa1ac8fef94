import Synchronization

/// Runs `operation`, but gives up on it after `limit`: throws ``DeadlinePassed`` then, cancelling the
/// operation without waiting for it to notice.
///
/// Why: a postgres-nio 1.33.2 write that is in flight when the server shuts down (seen with `COPY ... FROM
/// STDIN`) can wait forever on the dead connection — no error, no return — and with it the whole sink
/// stage. A deadline turns that into an ordinary "store unavailable": the connection is dropped and the
/// batch written again on a new one. The abandoned operation's task is left to end whenever it does.
func withDeadline<T: Sendable>(
    _ limit: Duration, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let task = Task { try await operation() }
    let race = FirstOutcome<T>()
    let outcome = await withTaskCancellationHandler {
        await withCheckedContinuation { continuation in
            race.start(continuation, task: task, limit: limit)
        }
    } onCancel: {
        task.cancel()
    }
    race.stopTimer()
    guard let outcome else {
        task.cancel()
        throw DeadlinePassed(limit: limit)
    }
    return try outcome.get()
}

/// The race between an operation and its deadline: whichever ends first resumes the waiter, once.
private final class FirstOutcome<T: Sendable>: Sendable {
    private let waiter = Mutex<CheckedContinuation<Result<T, any Error>?, Never>?>(nil)
    private let timer = Mutex<Task<Void, Never>?>(nil)

    func start(_ continuation: CheckedContinuation<Result<T, any Error>?, Never>, task: Task<T, any Error>, limit: Duration) {
        waiter.withLock { $0 = continuation }
        Task { self.finish(with: await task.result) }
        let timer = Task {
            guard (try? await Task.sleep(for: limit)) != nil else { return }
            self.finish(with: nil)
        }
        self.timer.withLock { $0 = timer }
    }

    func stopTimer() {
        timer.withLock { $0 }?.cancel()
    }

    private func finish(with outcome: Result<T, any Error>?) {
        waiter.withLock { waiter in
            defer { waiter = nil }
            return waiter
        }?.resume(returning: outcome)
    }
}

/// An operation did not end within its deadline.
struct DeadlinePassed: Error, CustomStringConvertible {
    var limit: Duration
    var description: String { "no answer within \(limit)" }
}
