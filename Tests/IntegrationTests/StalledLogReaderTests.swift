import Foundation
import Testing
import TestSupport

/// Issue 11, item 3: with standard output a pipe nobody reads, logging must not hold up consumption,
/// commits or shutdown. Before the non-blocking writer, committed offsets stayed at 0 once the 64 KiB
/// pipe was full, and neither SIGTERM nor a second SIGTERM ended the process.
///
/// The service logs one JSON line (~330 bytes) per event at `info`: 12,000 events are ~4 MB of log,
/// far more than the pipe (64 KiB) and the writer's buffer (1 MiB) hold, so lines must be dropped.
@Suite("processing-service: a log reader that stops reading does not stop the service")
struct StalledLogReaderTests {
    static let topic = "stalled-log-events"
    static let partitionCount = 3
    static let eventCount = 12_000

    static func startBrokerWithEvents() async throws -> MockBroker {
        let broker = try await MockBroker(brokers: 1, topics: [topic: partitionCount, topic + ".dlq": 1])
        try await EventPublisher.publish(to: broker, topic: topic, count: eventCount)
        return broker
    }

    @Test("offsets are committed while nobody reads the log; a resumed reader sees how many lines were dropped")
    func commitsGoOnAndDropsAreReported() async throws {
        let broker = try await Self.startBrokerWithEvents()
        defer { broker.requestStop() }
        let group = uniqueGroupID("stalled-log")
        let service = try UnreadLogProcess(
            environment: ServiceProcess.environment(broker: broker, topic: Self.topic, groupID: group)
        )
        let watermarks = try await broker.highWatermarks(topic: Self.topic, partitionCount: Self.partitionCount)
        #expect(watermarks.values.reduce(0, +) == Int64(Self.eventCount))

        // Nobody reads: every event is still processed and committed (auto-commit every 200 ms).
        try await eventually("every offset committed while the log is not read", timeout: .seconds(180)) {
            if let exit = service.exitStatus { throw ChildProcessError(description: "service \(exit)") }
            return try await broker.committedOffsets(group: group, topic: Self.topic, partitionCount: Self.partitionCount) == watermarks
        }

        service.startReading()
        try await eventually("an `N log lines dropped` line after the reader resumed", timeout: .seconds(60)) {
            service.lines.contains { $0.message.hasSuffix(" log lines dropped") }
        }
        let reports = service.lines.filter { $0.message.hasSuffix(" log lines dropped") }
        var dropped = 0
        for report in reports {
            let count = try #require(report.metadata["dropped_lines"].flatMap(Int.init), "\(report)")
            #expect(report.level == "warning")
            #expect(report.message == "\(count) log lines dropped")
            #expect(count > 0)
            dropped += count
        }
        // Dropped lines are counted, not lost without trace: kept + dropped = everything logged per event.
        // (Lines logged after the report are not in either number, so only ≥ can be checked.)
        let processedLines = service.lines.filter { $0.processedEvent != nil }.count
        #expect(processedLines + dropped >= Self.eventCount, "kept \(processedLines), dropped \(dropped)")

        service.terminate()
        let exit = try await service.waitForExit(timeout: .seconds(60))
        #expect(exit == .exited(0), "\(service.standardError)")
        #expect(service.unparsed.isEmpty, "every line is a JSON log line: \(service.unparsed.prefix(3))")
    }

    @Test(
        "SIGTERM (and a second SIGTERM) end the service in bounded time while nobody reads its log",
        arguments: [1, 2]
    )
    func signalsAreHonoured(signals: Int) async throws {
        let broker = try await Self.startBrokerWithEvents()
        defer { broker.requestStop() }
        let group = uniqueGroupID("stalled-log-signal")
        let service = try UnreadLogProcess(
            environment: ServiceProcess.environment(broker: broker, topic: Self.topic, groupID: group)
        )
        // Half the events committed: ~2 MB of log lines were produced, so the pipe and the writer's buffer
        // are full and every line since is dropped.
        try await eventually("half the offsets committed while the log is not read", timeout: .seconds(180)) {
            if let exit = service.exitStatus { throw ChildProcessError(description: "service \(exit)") }
            let committed = try await broker.committedOffsets(group: group, topic: Self.topic, partitionCount: Self.partitionCount)
            return committed.values.reduce(0, +) >= Int64(Self.eventCount / 2)
        }
        for _ in 0..<signals { service.terminate() }
        // A hang bound: SHUTDOWN_TIMEOUT is 10 s here, and the exit waits at most 1 s for the log.
        let exit = try await service.waitForExit(timeout: .seconds(60))
        if signals == 1 {
            #expect(exit == .exited(0), "\(service.standardError)")
        } else {
            // The second signal may arrive after the graceful shutdown already finished.
            #expect(exit == .exited(130) || exit == .exited(0), "\(service.standardError)")
        }
    }

    @Test("a log reader that goes away (closed pipe) does not kill the service with SIGPIPE")
    func closedReaderIsNotFatal() async throws {
        let refusing = try RefusingPort()
        let service = try UnreadLogProcess(environment: [
            "KAFKA_BROKERS": "127.0.0.1:\(refusing.port)", "LOG_FORMAT": "json",
            "MAX_RETRIES": "2", "RETRY_DELAY": "0.1", "CONNECT_TIMEOUT": "1",
        ])
        service.closeOutput()
        // The service logs on (librdkafka's connection errors, the retry, the final critical line) into a
        // pipe without a reader: it must still end the way it decides, exit 69 (no broker), not by signal.
        let exit = try await service.waitForExit(timeout: .seconds(90))
        #expect(exit == .exited(69), "\(service.standardError)")
    }
}

/// The built `processing-service` with standard output a pipe that nobody reads until `startReading()`;
/// standard error is read all along (it carries nothing in these tests but crashes).
final class UnreadLogProcess: @unchecked Sendable {
    // `@unchecked`: `Process` is not Sendable; mutable state is guarded by `lock`.
    private let process = Process()
    private let output = Pipe()
    private let errors = Pipe()
    private let lock = NSLock()
    private var parsed: [ServiceLogLine] = []
    private var unparsedLines: [String] = []
    private var errorText = Data()
    private var exit: ChildExit?
    private var reading = false
    private let workingDirectory: URL

    init(environment: [String: String]) throws {
        workingDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("itest-unread-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workingDirectory, withIntermediateDirectories: true)
        process.executableURL = try BuiltProducts.executableURL(named: "processing-service")
        process.environment = ChildProcess.isolatedEnvironment(adding: environment)
        process.currentDirectoryURL = workingDirectory
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
        let errorHandle = errors.fileHandleForReading
        Thread { [weak self] in
            while true {
                let chunk = errorHandle.availableData
                if chunk.isEmpty { return }
                guard let self else { return }
                self.lock.withLock { self.errorText.append(chunk) }
            }
        }.start()
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: workingDirectory)
    }

    /// Starts reading standard output (once), parsing JSON log lines as they come.
    func startReading() {
        guard lock.withLock({ () -> Bool in
            defer { reading = true }
            return !reading
        }) else { return }
        let handle = output.fileHandleForReading
        Thread { [weak self] in
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { return }
                pending.append(chunk)
                var start = pending.startIndex
                var complete: [String] = []
                while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                    complete.append(String(decoding: pending[start..<newline], as: UTF8.self))
                    start = pending.index(after: newline)
                }
                pending.removeSubrange(pending.startIndex..<start)
                guard let self else { return }
                self.lock.withLock {
                    for text in complete {
                        if let line = ServiceLogLine(json: text) { self.parsed.append(line) } else { self.unparsedLines.append(text) }
                    }
                }
            }
        }.start()
    }

    /// Closes the read end: the service's writes to standard output fail with EPIPE from now on.
    func closeOutput() {
        try? output.fileHandleForReading.close()
    }

    var lines: [ServiceLogLine] { lock.withLock { parsed } }
    var unparsed: [String] { lock.withLock { unparsedLines } }
    var exitStatus: ChildExit? { lock.withLock { exit } }
    var standardError: String { lock.withLock { String(decoding: errorText, as: UTF8.self) } }

    func terminate() {
        guard exitStatus == nil else { return }
        kill(process.processIdentifier, SIGTERM)
    }

    /// Waits for the exit; `timeout` is a hang bound (the process is killed and an error thrown).
    func waitForExit(timeout: Duration) async throws -> ChildExit {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let exit = exitStatus { return exit }
            try await Task.sleep(for: .milliseconds(20))
        }
        if let exit = exitStatus { return exit }
        kill(process.processIdentifier, SIGKILL)
        throw ChildProcessError.timedOut("processing-service to exit within \(timeout) while its log is not read")
    }
}
