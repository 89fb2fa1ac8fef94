import Foundation

/// A `mock-kafka` process (librdkafka's mock cluster) for a test: a real Kafka-protocol broker on loopback
/// ephemeral ports, controlled through the process's stdin protocol (see `mock-kafka --help`).
///
/// The process gets end-of-file on its standard input when this object stops it *or when the test process
/// dies*, and exits on it, so a crashed test never leaves a broker running.
///
/// All methods block the calling thread briefly (the child answers within milliseconds); they are safe to
/// call from any thread or task. `stop()` is idempotent and also runs on deinit.
public final class MockBroker: @unchecked Sendable {
    // `@unchecked`: the mutable state is the child process and its pipes, used only under `commandLock`.
    private let process: Process
    private let exited: DispatchSemaphore
    private let input: FileHandle
    private let output: LineReader
    private let commandLock = NSLock()
    private var stopped = false

    /// Comma-separated `host:port` list of the brokers, for `bootstrap.servers` / `KAFKA_BROKERS`.
    public let bootstrapServers: String
    /// Number of brokers; their ids are `1...brokerCount`.
    public let brokerCount: Int

    /// Starts `mock-kafka` with `brokers` brokers and the given topics (name → partition count), and waits
    /// for it to report its bootstrap servers.
    /// - Parameter startTimeout: a hang bound, not an expectation (starting takes ~50 ms).
    /// - Throws: `BuiltProductsError` when the binary is missing, `MockBrokerError` when it fails to start.
    public init(brokers: Int = 1, topics: [String: Int] = [:], startTimeout: TimeInterval = 60) throws {
        let process = Process()
        process.executableURL = try BuiltProducts.executableURL(named: "mock-kafka")
        process.arguments = ["--brokers", String(brokers)]
            + topics.sorted(by: { $0.key < $1.key }).flatMap { ["--topic", "\($0.key):\($0.value)"] }
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        // Broker warnings go to the test's own stderr, where a failing test's log shows them.
        process.standardError = FileHandle.standardError
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()

        self.process = process
        self.exited = exited
        self.input = stdin.fileHandleForWriting
        self.output = LineReader(reading: stdout.fileHandleForReading, name: "mock-kafka stdout")
        self.brokerCount = brokers

        let line: String?
        do {
            line = try output.nextLine(before: Date(timeIntervalSinceNow: startTimeout), waitingFor: "mock-kafka to start")
        } catch {
            Self.terminate(process, exited: exited, input: input)
            throw error
        }
        guard let line, line.hasPrefix("BOOTSTRAP ") else {
            Self.terminate(process, exited: exited, input: input)
            throw MockBrokerError.startFailed(line.map { "unexpected first line '\($0)'" } ?? "exited before reporting its address (status \(process.terminationStatus))")
        }
        self.bootstrapServers = String(line.dropFirst("BOOTSTRAP ".count))
    }

    deinit {
        stop()
    }

    /// Sends one control command (e.g. `"broker-down 1"`) and waits for its answer.
    /// - Throws: `MockBrokerError.commandFailed` with the broker's reason for `ERR`, `.stopped` after
    ///   `stop()`, `.timedOut` when no answer came within `timeout`.
    public func send(command: String, timeout: TimeInterval = 30) throws {
        precondition(!command.contains("\n"), "a control command is one line")
        commandLock.lock()
        defer { commandLock.unlock() }
        guard !stopped, process.isRunning else { throw MockBrokerError.stopped }
        do {
            try input.write(contentsOf: Data((command + "\n").utf8))
        } catch {
            throw MockBrokerError.stopped
        }
        guard let answer = try output.nextLine(before: Date(timeIntervalSinceNow: timeout), waitingFor: "answer to '\(command)'") else {
            throw MockBrokerError.stopped
        }
        if answer == "OK" { return }
        if answer.hasPrefix("ERR") {
            throw MockBrokerError.commandFailed(command: command, reason: String(answer.dropFirst(3)).trimmingCharacters(in: .whitespaces))
        }
        throw MockBrokerError.commandFailed(command: command, reason: "unexpected answer '\(answer)'")
    }

    /// Creates a topic with `partitions` partitions.
    public func createTopic(_ name: String, partitions: Int) throws {
        try send(command: "create-topic \(name) \(partitions)")
    }

    /// Takes broker `id` (1...brokerCount) down: connections are closed and refused until `setBrokerUp`.
    public func setBrokerDown(_ id: Int) throws {
        try send(command: "broker-down \(id)")
    }

    /// Brings broker `id` back up.
    public func setBrokerUp(_ id: Int) throws {
        try send(command: "broker-up \(id)")
    }

    /// Makes the next requests of Kafka API `apiKey` fail with these Kafka error codes, in order.
    public func pushRequestErrors(apiKey: Int, errorCodes: [Int]) throws {
        try send(command: "push-errors \(apiKey) " + errorCodes.map(String.init).joined(separator: " "))
    }

    /// Stops the cluster (end-of-file on its stdin, SIGTERM/SIGKILL if it does not exit) and waits for the
    /// process to exit. All data is gone afterwards. Idempotent.
    public func stop() {
        commandLock.lock()
        defer { commandLock.unlock() }
        guard !stopped else { return }
        stopped = true
        Self.terminate(process, exited: exited, input: input)
    }

    /// Closes stdin (mock-kafka's normal stop), escalating to SIGTERM and then SIGKILL after grace periods.
    /// Called at most once per process (the callers guard it), so the single `exited` signal suffices.
    private static func terminate(_ process: Process, exited: DispatchSemaphore, input: FileHandle) {
        try? input.close()
        if exited.wait(timeout: .now() + 10) == .timedOut {
            process.terminate()
            if exited.wait(timeout: .now() + 5) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
            }
        }
        process.waitUntilExit()
    }
}

/// Failures of the `mock-kafka` child process.
public enum MockBrokerError: Error, CustomStringConvertible, Equatable {
    case startFailed(String)
    case timedOut(String)
    case commandFailed(command: String, reason: String)
    case stopped

    public var description: String {
        switch self {
        case let .startFailed(reason): return "mock-kafka failed to start: \(reason)"
        case let .timedOut(what): return "timed out waiting for \(what)"
        case let .commandFailed(command, reason): return "mock-kafka rejected '\(command)': \(reason)"
        case .stopped: return "mock-kafka is not running"
        }
    }
}
