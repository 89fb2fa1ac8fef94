/// A `mock-kafka` process (librdkafka's mock cluster) for a test: a real Kafka-protocol broker on loopback
/// ephemeral ports, controlled through the process's stdin protocol (see `mock-kafka --help`).
///
/// The process gets end-of-file on its standard input when this object stops it, when it is released,
/// *or when the test process dies*, and exits on it, so a crashed test never leaves a broker running.
///
/// Every method suspends (never blocks a thread of Swift's cooperative pool): the child runs under
/// swift-subprocess (`MockBrokerSession`). Safe to call from any task; commands are answered in order.
public final class MockBroker: Sendable {
    private let session: MockBrokerSession

    /// Comma-separated `host:port` list of the brokers, for `bootstrap.servers` / `KAFKA_BROKERS`.
    public let bootstrapServers: String
    /// Number of brokers; their ids are `1...brokerCount`.
    public let brokerCount: Int

    /// Starts `mock-kafka` with `brokers` brokers and the given topics (name → partition count), and waits
    /// for it to report its bootstrap servers.
    /// - Parameter startTimeout: a hang bound, not an expectation (starting takes ~50 ms).
    /// - Throws: `BuiltProductsError` when the binary is missing, `MockBrokerError` when it fails to start.
    public init(brokers: Int = 1, topics: [String: Int] = [:], startTimeout: Duration = .seconds(60)) async throws {
        let executable = try BuiltProducts.executableURL(named: "mock-kafka")
        let arguments = ["--brokers", String(brokers)]
            + topics.sorted(by: { $0.key < $1.key }).flatMap { ["--topic", "\($0.key):\($0.value)"] }
        let session = MockBrokerSession(executable: executable.path, arguments: arguments)
        let line: String?
        do {
            line = try await session.answer(to: nil, timeout: startTimeout, waitingFor: "mock-kafka to start")
        } catch {
            await session.stop()
            throw error
        }
        guard let line, line.hasPrefix("BOOTSTRAP ") else {
            await session.stop()
            throw MockBrokerError.startFailed(line.map { "unexpected first line '\($0)'" } ?? "exited before reporting its address")
        }
        self.session = session
        self.bootstrapServers = String(line.dropFirst("BOOTSTRAP ".count))
        self.brokerCount = brokers
    }

    deinit {
        // Non-blocking: ends the child's standard input; it exits on its own.
        session.finish()
    }

    /// Sends one control command (e.g. `"broker-down 1"`) and waits for its answer.
    /// - Throws: `MockBrokerError.commandFailed` with the broker's reason for `ERR`, `.stopped` after
    ///   `stop()`, `.timedOut` when no answer came within `timeout`.
    public func send(command: String, timeout: Duration = .seconds(30)) async throws {
        precondition(!command.contains("\n"), "a control command is one line")
        guard let answer = try await session.answer(to: command, timeout: timeout, waitingFor: "answer to '\(command)'") else {
            throw MockBrokerError.stopped
        }
        if answer == "OK" { return }
        if answer.hasPrefix("ERR") {
            let reason = answer.dropFirst(3).drop(while: { $0 == " " })
            throw MockBrokerError.commandFailed(command: command, reason: String(reason))
        }
        throw MockBrokerError.commandFailed(command: command, reason: "unexpected answer '\(answer)'")
    }

    /// Creates a topic with `partitions` partitions.
    public func createTopic(_ name: String, partitions: Int) async throws {
        try await send(command: "create-topic \(name) \(partitions)")
    }

    /// Takes broker `id` (1...brokerCount) down: connections are closed and refused until `setBrokerUp`.
    public func setBrokerDown(_ id: Int) async throws {
        try await send(command: "broker-down \(id)")
    }

    /// Brings broker `id` back up.
    public func setBrokerUp(_ id: Int) async throws {
        try await send(command: "broker-up \(id)")
    }

    /// Makes the next requests of Kafka API `apiKey` fail with these Kafka error codes, in order.
    public func pushRequestErrors(apiKey: Int, errorCodes: [Int]) async throws {
        try await send(command: "push-errors \(apiKey) " + errorCodes.map(String.init).joined(separator: " "))
    }

    /// Asks the cluster to stop (end-of-file on its stdin) without waiting for the process to exit: for
    /// a `defer`, which cannot await. Idempotent.
    public func requestStop() {
        session.finish()
    }

    /// Stops the cluster (end-of-file on its stdin; killed if it has not exited after a grace period) and
    /// waits for the process to exit. All data is gone afterwards. Idempotent.
    public func stop() async {
        await session.stop()
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
