import Foundation
import ProcessingCore

/// A child process of a test (the built `processing-service` or `event-producer`): started in a fresh
/// temporary working directory, its standard output delivered line by line to a handler, its standard
/// error collected, and stopped (SIGKILL) at the latest when this object goes away, so a failing test
/// does not leave it running.
///
/// Thread-safe: the output is read on dedicated threads; every accessor takes `lock`.
final class ChildProcess: @unchecked Sendable {
    // `@unchecked`: `Process` is not Sendable; all mutable state is guarded by `lock`.
    private let process = Process()
    private let lock = NSLock()
    private var errorOutput = Data()
    private var exit: ChildExit?
    private let workingDirectory: URL
    let name: String

    /// Variables the service and its tools read: removed from the inherited environment so the
    /// developer's shell (or CI's) cannot change what a test runs.
    static let serviceVariables: Set<String> = [
        "KAFKA_BROKERS", "KAFKA_TOPIC", "KAFKA_GROUP_ID", "AUTO_OFFSET_RESET", "ENABLE_AUTO_COMMIT",
        "MAX_RETRIES", "RETRY_DELAY", "ENVIRONMENT", "PROCESSING_MAX_ATTEMPTS", "PROCESSING_BACKOFF_BASE",
        "PROCESSING_BACKOFF_MULTIPLIER", "PROCESSING_BACKOFF_MAX", "PROCESSING_BACKOFF_JITTER", "LOG_LEVEL",
        "LOG_FORMAT", "SHUTDOWN_TIMEOUT", "DLQ_ENABLED", "DLQ_TOPIC",
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

    /// Starts `executable` (a `BuiltProducts` URL).
    /// - Parameters:
    ///   - environment: added to the test runner's environment minus `serviceVariables` and `KAFKA_CFG_*`.
    ///   - onLine: called on the reader thread for every line of standard output, in order.
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

        process.executableURL = executable
        process.arguments = arguments
        process.environment = Self.isolatedEnvironment(adding: environment)
        process.currentDirectoryURL = workingDirectory
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        process.terminationHandler = { [weak self] process in
            let exit: ChildExit = process.terminationReason == .uncaughtSignal
                ? .signalled(process.terminationStatus) : .exited(process.terminationStatus)
            guard let self else { return }
            self.lock.withLock { self.exit = exit }
        }
        try process.run()

        Self.readLines(from: output.fileHandleForReading, threadName: "\(name) stdout", onLine: onLine)
        Self.readLines(from: errors.fileHandleForReading, threadName: "\(name) stderr") { [weak self] line in
            self?.lock.withLock { self?.errorOutput.append(contentsOf: Data((line + "\n").utf8)) }
        }
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: workingDirectory)
    }

    var processIdentifier: Int32 { process.processIdentifier }

    /// How the process ended, or nil while it runs.
    var exitStatus: ChildExit? { lock.withLock { exit } }

    /// Everything written to standard error so far.
    var standardError: String { lock.withLock { String(decoding: errorOutput, as: UTF8.self) } }

    /// Sends `signal` (e.g. SIGTERM) to the process, if it still runs.
    func send(signal: Int32) {
        guard exitStatus == nil else { return }
        kill(process.processIdentifier, signal)
    }

    /// Waits for the process to exit. `timeout` is a hang bound: when it passes, the process is killed
    /// and `ChildProcessError.timedOut` thrown.
    @discardableResult
    func waitForExit(timeout: Duration) async throws -> ChildExit {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let exit = exitStatus { return exit }
            try await Task.sleep(for: .milliseconds(20))
        }
        if let exit = exitStatus { return exit }
        stopNow()
        throw ChildProcessError.timedOut("\(name) to exit within \(timeout)")
    }

    /// SIGKILL (if running) and wait for the exit. Idempotent.
    func stopNow() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Reads `handle` until end of file on its own thread (reading a pipe blocks; never on the cooperative
    /// pool), splitting it into lines. Reading continuously also keeps a chatty child from blocking on a
    /// full pipe.
    private static func readLines(from handle: FileHandle, threadName: String, onLine: @escaping @Sendable (String) -> Void) {
        let thread = Thread {
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty {
                    if !pending.isEmpty { onLine(String(decoding: pending, as: UTF8.self)) }
                    return
                }
                pending.append(chunk)
                var start = pending.startIndex
                while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                    onLine(String(decoding: pending[start..<newline], as: UTF8.self))
                    start = pending.index(after: newline)
                }
                pending.removeSubrange(pending.startIndex..<start)
            }
        }
        thread.name = threadName
        thread.start()
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
