import Foundation
import ProcessingCore
import Subprocess
import Synchronization
import SystemPackage
import TestSupport

/// A child process of a test (the built `processing-service` or `event-producer`): started in a fresh
/// temporary working directory, its standard output delivered line by line to a handler, its standard
/// error collected, and killed (SIGKILL) at the latest when this object goes away, so a failing test
/// does not leave it running.
///
/// It runs under swift-subprocess in a task of its own: the pipes are read by suspending tasks and the
/// exit is awaited, so no thread ever blocks on the child (no reader threads, no `waitUntilExit`).
/// Thread-safe: every accessor takes the lock of `shared`.
final class ChildProcess: Sendable {
    private struct State {
        var errorOutput = ""
        var exit: ChildExit?
        /// Known from the spawn until the exit.
        var processIdentifier: pid_t?
        /// Signals asked for before the child was spawned, sent as soon as it is.
        var pendingSignals: [Int32] = []
    }

    /// The state the running task shares with this object (which the task must not keep alive).
    private final class Shared: Sendable {
        let state = Mutex(State())

        /// Sends `signal` to the running child, or queues it until the spawn. No-op after the exit.
        func send(signal: Int32) {
            let target = state.withLock { state -> pid_t? in
                guard state.exit == nil else { return nil }
                guard let pid = state.processIdentifier else {
                    state.pendingSignals.append(signal)
                    return nil
                }
                return pid
            }
            if let target { kill(target, signal) }
        }
    }

    private let shared = Shared()
    private let run: Task<ChildExit, Never>
    private let workingDirectory: URL
    let name: String

    /// Variables the service and its tools read: removed from the inherited environment so the
    /// developer's shell (or CI's) cannot change what a test runs.
    static let serviceVariables: Set<String> = [
        "KAFKA_BROKERS", "KAFKA_TOPIC", "KAFKA_GROUP_ID", "AUTO_OFFSET_RESET", "ENABLE_AUTO_COMMIT",
        "MAX_RETRIES", "RETRY_DELAY", "CONNECT_TIMEOUT", "ENVIRONMENT", "PROCESSING_MAX_ATTEMPTS", "PROCESSING_BACKOFF_BASE",
        "PROCESSING_BACKOFF_MULTIPLIER", "PROCESSING_BACKOFF_MAX", "PROCESSING_BACKOFF_JITTER", "LOG_LEVEL",
        "LOG_FORMAT", "SHUTDOWN_TIMEOUT", "DLQ_ENABLED", "DLQ_TOPIC",
    ]

    /// The test runner's environment minus `serviceVariables` and every `KAFKA_CFG_*` variable, plus
    /// `environment`: what a child of a test runs with.
    static func isolatedEnvironment(adding environment: [String: String]) -> [String: String] {
        var isolated = ProcessInfo.processInfo.environment.filter { variable, _ in
            !serviceVariables.contains(variable) && !variable.hasPrefix(KafkaPropertyVariable.prefix)
        }
        isolated.merge(environment) { _, new in new }
        return isolated
    }

    /// Starts `executable` (a `BuiltProducts` URL). Returns at once; the spawn happens in the child's task.
    /// - Parameters:
    ///   - environment: added to the test runner's environment minus `serviceVariables` and `KAFKA_CFG_*`.
    ///   - onLine: called for every line of standard output, in order.
    init(
        name: String,
        executable: URL,
        arguments: [String],
        environment: [String: String],
        onLine: @escaping @Sendable (String) -> Void
    ) throws {
        self.name = name
        workingDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("itest-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workingDirectory, withIntermediateDirectories: true)
        let shared = self.shared
        let variables = Self.isolatedEnvironment(adding: environment)
        let directory = FilePath(workingDirectory.path)
        run = Task {
            let exit: ChildExit
            do {
                let result = try await Subprocess.run(
                    .path(FilePath(executable.path)), arguments: Arguments(arguments),
                    environment: .custom(Dictionary(uniqueKeysWithValues: variables.map { (Environment.Key(stringLiteral: $0.key), $0.value) })),
                    workingDirectory: directory, input: .none, output: .sequence, error: .sequence
                ) { execution in
                    let pid = execution.processIdentifier.value
                    let pending = shared.state.withLock { state in
                        state.processIdentifier = pid
                        defer { state.pendingSignals = [] }
                        return state.pendingSignals
                    }
                    for signal in pending { kill(pid, signal) }
                    // Both pipes are read to their end, so a chatty child never blocks on a full pipe.
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for try await line in execution.standardOutput.strings() { onLine(line) }
                        }
                        group.addTask {
                            for try await line in execution.standardError.strings() {
                                shared.state.withLock { $0.errorOutput += line + "\n" }
                            }
                        }
                        try await group.waitForAll()
                    }
                }
                switch result.terminationStatus {
                case .exited(let status): exit = .exited(status)
                case .signaled(let signal): exit = .signalled(signal)
                }
            } catch {
                shared.state.withLock { $0.errorOutput += "could not run \(executable.path): \(error)\n" }
                exit = .exited(-1)
            }
            shared.state.withLock { state in
                state.exit = exit
                state.processIdentifier = nil
            }
            return exit
        }
    }

    deinit {
        shared.send(signal: SIGKILL)
        try? FileManager.default.removeItem(at: workingDirectory)
    }

    /// How the process ended, or nil while it runs.
    var exitStatus: ChildExit? { shared.state.withLock { $0.exit } }

    /// Everything written to standard error so far.
    var standardError: String { shared.state.withLock { $0.errorOutput } }

    /// Sends `signal` (e.g. SIGTERM) to the process, if it still runs (or as soon as it is spawned).
    func send(signal: Int32) {
        shared.send(signal: signal)
    }

    /// Waits for the process to exit. `timeout` is a hang bound: when it passes, the process is killed
    /// and `ChildProcessError.timedOut` thrown.
    @discardableResult
    func waitForExit(timeout: Duration) async throws -> ChildExit {
        let run = self.run
        guard let exit = await value(within: timeout, of: { await run.value }) else {
            stopNow()
            throw ChildProcessError.timedOut("\(name) to exit within \(timeout)")
        }
        return exit
    }

    /// SIGKILL, if it runs. Idempotent; does not wait (`waitForExit` does).
    func stopNow() {
        shared.send(signal: SIGKILL)
    }
}

/// How a child process ended.
enum ChildExit: Equatable, Sendable, CustomStringConvertible {
    case exited(Int32)
    case signalled(Int32)

    var description: String {
        switch self {
        case let .exited(status): return "exited with status \(status)"
        case let .signalled(signal): return "killed by signal \(signal)"
        }
    }
}

/// A child process did not do what a test waited for within its hang bound.
struct ChildProcessError: Error, CustomStringConvertible {
    var description: String

    static func timedOut(_ what: String) -> ChildProcessError {
        ChildProcessError(description: "timed out waiting for \(what)")
    }
}
