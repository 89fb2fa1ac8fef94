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
/// It runs under swift-subprocess in a task of its own, which awaits the exit (no `waitUntilExit`) and
/// reads standard error. Standard output, where the service logs a line per event, is read by a
/// `PipeLineReader` on a thread of its own, so the log reader keeps up however busy the cooperative pool
/// is; the exit is published only after its last line was handed over.
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
        "LOG_FORMAT", "LOG_BUFFER_SIZE", "SHUTDOWN_TIMEOUT", "DLQ_ENABLED", "DLQ_TOPIC",
        "SINK", "DATABASE_URL", "SQLITE_PATH", "FILES_DIR", "SINK_TABLE", "SINK_BATCH_SIZE", "SINK_BATCH_TIMEOUT",
        "HTTP_ENABLED", "HTTP_HOST", "HTTP_PORT", "PROGRESS_LOG_INTERVAL",
    ]

    /// The test runner's environment minus `serviceVariables` and every `KAFKA_CFG_*` variable, plus
    /// `environment`: what a child of a test runs with.
    static func isolatedEnvironment(adding environment: [String: String]) -> [String: String] {
        var isolated = ProcessInfo.processInfo.environment.filter { variable, _ in
            !serviceVariables.contains(variable) && !variable.hasPrefix(KafkaPropertyVariable.prefix)
        }
        // Tests run in parallel: the HTTP server binds any free loopback port unless a test says otherwise
        // (`HTTP server listening` in the log tells which).
        isolated["HTTP_HOST"] = "127.0.0.1"
        isolated["HTTP_PORT"] = "0"
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
        // Close-on-exec, so children that other tests spawn meanwhile do not inherit the write end (the
        // reader would not see the end of the pipe until they exit); the child gets it as its fd 1.
        // (`pipe2` is not exported to Swift here; swift-subprocess also closes a child's other
        // descriptors, so only a `Foundation.Process` spawned in between could inherit them.)
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            throw ChildProcessError(description: "pipe for \(name)'s standard output failed: errno \(errno)")
        }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        let outputReader = PipeLineReader(fileDescriptor: ends[0], name: name, onLine: onLine)
        let outputWriteEnd = FileDescriptor(rawValue: ends[1])
        run = Task {
            let exit: ChildExit
            do {
                let result = try await Subprocess.run(
                    .path(FilePath(executable.path)), arguments: Arguments(arguments),
                    environment: .custom(Dictionary(uniqueKeysWithValues: variables.map { (Environment.Key(stringLiteral: $0.key), $0.value) })),
                    workingDirectory: directory, input: .none,
                    output: .fileDescriptor(outputWriteEnd, closeAfterSpawningProcess: true), error: .sequence
                ) { execution in
                    let pid = execution.processIdentifier.value
                    let pending = shared.state.withLock { state in
                        state.processIdentifier = pid
                        defer { state.pendingSignals = [] }
                        return state.pendingSignals
                    }
                    for signal in pending { kill(pid, signal) }
                    // Read to its end, so a child writing much to stderr never blocks on a full pipe.
                    for try await line in execution.standardError.strings() {
                        shared.state.withLock { $0.errorOutput += line + "\n" }
                    }
                }
                // Every stdout line is handed over before the exit is known, as tests expect.
                await outputReader.finished()
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
