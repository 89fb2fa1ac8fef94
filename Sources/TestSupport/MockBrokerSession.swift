import Subprocess
import Synchronization
import SystemPackage

/// The running `mock-kafka` child of a `MockBroker`, driven through swift-subprocess: one task owns the
/// process, writes the queued command lines to its standard input and hands each answer line (the first
/// line is the `BOOTSTRAP` report) to the waiter that asked, in order.
///
/// Nothing here blocks a thread: the task suspends on pipe I/O, callers suspend on continuations.
/// Ending the command stream (`finish()`, also from `MockBroker.deinit`) closes the child's standard
/// input, which is its normal stop; the child also sees end-of-file if the test process dies.
final class MockBrokerSession: Sendable {
    private enum Reply: Sendable {
        case line(String)
        /// The child's output ended: it exited (or is exiting).
        case ended
        case timedOut
    }

    /// Waiters for answer lines, oldest first. A waiter that gave up keeps its place with no
    /// continuation, so that the late answer is discarded instead of reaching the next waiter.
    private struct Waiters {
        var queue: [(id: Int, continuation: CheckedContinuation<Reply, Never>?)] = []
        var abandoned: Set<Int> = []
        var nextID = 0
        var outputEnded = false
    }

    /// The waiters behind one lock; a class so that the process task can share it.
    private final class Answers: Sendable {
        let state = Mutex(Waiters())
    }

    private let answers = Answers()
    private let commands: AsyncStream<String>.Continuation
    private let process: Task<Void, any Error>

    /// Starts `executable` with `arguments`; its standard error goes to the test's own (where a failing
    /// test's log shows broker warnings).
    init(executable: String, arguments: [String]) {
        let (stream, commands) = AsyncStream.makeStream(of: String.self)
        let waiters = self.answers
        self.commands = commands
        process = Task {
            defer { Self.deliver(nil, to: waiters) }
            _ = try await Subprocess.run(
                .path(FilePath(executable)), arguments: Arguments(arguments),
                input: .inputWriter, output: .sequence, error: .currentStandardError
            ) { execution in
                var lines = execution.standardOutput.strings().makeAsyncIterator()
                Self.deliver(try await lines.next(), to: waiters)  // the BOOTSTRAP line
                for await command in stream {
                    do {
                        _ = try await execution.standardInputWriter.write(command + "\n")
                    } catch {
                        break  // the child is gone: its output ends next
                    }
                    Self.deliver(try await lines.next(), to: waiters)
                }
                try? await execution.standardInputWriter.finish()
                while try await lines.next() != nil {}  // until the child exits
            }
        }
    }

    /// Sends `command` (nil: nothing, to read the first line) and waits for the next answer line.
    /// - Returns: the line, or nil when the child's output ended first.
    /// - Throws: `MockBrokerError.timedOut(what)` after `timeout` (a hang bound).
    func answer(to command: String?, timeout: Duration, waitingFor what: String) async throws -> String? {
        let waiters = self.answers
        let id = waiters.state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        let timer = Task { [waiters] in
            try await Task.sleep(for: timeout)
            Self.abandon(id, in: waiters)
        }
        defer { timer.cancel() }
        let reply = await withCheckedContinuation { (continuation: CheckedContinuation<Reply, Never>) in
            let immediate = waiters.state.withLock { state -> Reply? in
                if state.outputEnded { return .ended }
                if state.abandoned.remove(id) != nil { return .timedOut }
                state.queue.append((id, continuation))
                // Under the same lock as the queueing: answers return in the order commands went out.
                if let command { commands.yield(command) }
                return nil
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
        switch reply {
        case .line(let line): return line
        case .ended: return nil
        case .timedOut: throw MockBrokerError.timedOut(what)
        }
    }

    /// Closes the child's standard input (mock-kafka exits on it). Non-blocking; idempotent.
    func finish() {
        commands.finish()
    }

    /// Closes standard input and waits until the child exited; kills it if it has not after `grace`.
    func stop(grace: Duration = .seconds(15)) async {
        finish()
        let process = self.process
        let watchdog = Task {
            try await Task.sleep(for: grace)
            process.cancel()  // swift-subprocess tears down (kills) the child of a cancelled run
        }
        _ = await process.result
        watchdog.cancel()
    }

    /// Hands `line` to the oldest waiter; nil (end of output) answers every waiter and all later ones.
    private static func deliver(_ line: String?, to waiters: Answers) {
        let resumed = waiters.state.withLock { state -> [CheckedContinuation<Reply, Never>] in
            guard line != nil else {
                state.outputEnded = true
                defer { state.queue = [] }
                return state.queue.compactMap { $0.continuation }
            }
            guard !state.queue.isEmpty else { return [] }
            return state.queue.removeFirst().continuation.map { [$0] } ?? []
        }
        for continuation in resumed { continuation.resume(returning: line.map(Reply.line) ?? .ended) }
    }

    private static func abandon(_ id: Int, in waiters: Answers) {
        let continuation = waiters.state.withLock { state -> CheckedContinuation<Reply, Never>? in
            guard let index = state.queue.firstIndex(where: { $0.id == id }) else {
                state.abandoned.insert(id)  // not queued yet: it times out as it arrives
                return nil
            }
            defer { state.queue[index].continuation = nil }
            return state.queue[index].continuation
        }
        continuation?.resume(returning: Reply.timedOut)
    }
}
