import Foundation
import TestSupport

/// The built `processing-service` binary running as a child process with `LOG_FORMAT=json`, its log
/// lines parsed as they arrive, so a test knows exactly which offsets it processed (the default
/// processor logs `Processing event: <type>` with `partition` and `offset` for each event) and what its
/// current assignment is.
///
///     let service = try ServiceProcess(environment: ServiceProcess.environment(broker: broker, topic: "events", groupID: group))
///     try await service.waitForAssignment()
///     …
///     service.terminate()                                   // SIGTERM: graceful shutdown
///     #expect(try await service.waitForExit(timeout: .seconds(60)) == .exited(0))
///
/// Thread-safe; the child is SIGKILLed at the latest when this object goes away.
final class ServiceProcess: @unchecked Sendable {
    // `@unchecked`: mutable state is guarded by `lock` (it is written on the stdout reader thread).
    private let lock = NSLock()
    private var lines: [ServiceLogLine] = []
    private var unparsed: [String] = []
    private var processedOffsets = ProcessedOffsets()
    private var currentAssignment = Set<Int32>()
    private var droppedLines = 0
    private var child: ChildProcess?

    /// The environment every test service starts from; `extra` wins over it.
    ///
    /// A short `session.timeout.ms`, because a re-join to a group that had members waits up to
    /// `session.timeout.ms` - 1 s on the mock cluster (45 s by default, see the facts file); a short
    /// commit interval so tests see commits quickly; a short shutdown timeout so a hang shows fast.
    static func environment(
        broker: MockBroker, topic: String, groupID: String, _ extra: [String: String] = [:]
    ) -> [String: String] {
        var environment = [
            "KAFKA_BROKERS": broker.bootstrapServers,
            "KAFKA_TOPIC": topic,
            "KAFKA_GROUP_ID": groupID,
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "info",
            "ENVIRONMENT": "development",
            "SHUTDOWN_TIMEOUT": "10",
            "MAX_RETRIES": "5",
            "RETRY_DELAY": "1",
            "KAFKA_CFG_SESSION_TIMEOUT_MS": "6000",
            "KAFKA_CFG_HEARTBEAT_INTERVAL_MS": "500",
            "KAFKA_CFG_AUTO_COMMIT_INTERVAL_MS": "200",
        ]
        environment.merge(extra) { _, new in new }
        return environment
    }

    /// The log buffer a test service gets unless the test sets `LOG_BUFFER_SIZE` itself: more than any
    /// test logs (30,000 events are ~10 MB), so a reader delayed by a loaded machine never makes the
    /// service drop a line this harness counts. Memory is only touched as far as the buffer is used.
    static let logBufferSize = "64MiB"

    /// Starts `processing-service` with `arguments` (e.g. `["--read-from-beginning"]`) and `environment`
    /// (see `environment(broker:topic:groupID:_:)`), in an empty temporary working directory (no `.env`).
    init(name: String = "processing-service", environment: [String: String], arguments: [String] = []) throws {
        let executable = try BuiltProducts.executableURL(named: "processing-service")
        var environment = environment
        if environment["LOG_BUFFER_SIZE"] == nil { environment["LOG_BUFFER_SIZE"] = Self.logBufferSize }
        child = try ChildProcess(name: name, executable: executable, arguments: arguments, environment: environment) { [weak self] line in
            self?.receive(line)
        }
    }

    deinit {
        child?.stopNow()
    }

    // MARK: Observing

    /// Every JSON line logged so far.
    var logLines: [ServiceLogLine] { lock.withLock { lines } }

    /// Lines on stdout that were not JSON log lines (there should be none).
    var unparsedLines: [String] { lock.withLock { unparsed } }

    /// The offsets processed so far (from the default processor's `Processing event:` lines).
    var processed: ProcessedOffsets { lock.withLock { processedOffsets } }

    /// The partitions assigned right now, as the service's `Partitions assigned` / `revoked` / `lost`
    /// lines tell.
    var assignment: Set<Int32> { lock.withLock { currentAssignment } }

    /// How many lines the service reported dropped (`N log lines dropped`): its log reader (this object)
    /// fell more than `LOG_BUFFER_SIZE` behind. Waiting fails as soon as this is above 0, because what
    /// this harness knows of the service (processed offsets, assignment) would then be incomplete.
    var droppedLogLines: Int { lock.withLock { droppedLines } }

    /// Lines logged at `error` or `critical`.
    var errorLines: [ServiceLogLine] { logLines.filter { $0.level == "error" || $0.level == "critical" } }

    /// How long the shutdown took by the service's own clock: from the line that says a signal was
    /// received to `Processing service stopped`, both from the log's timestamps. Unlike the time until the
    /// test sees the exit, it does not include a loaded test process reading the log late. Nil when
    /// either line is missing.
    var loggedShutdownDuration: Duration? {
        loggedDuration(from: { $0.message.hasSuffix("received: shutting down") }, to: { $0.message == "Processing service stopped" })
    }

    /// The time between the first line matching `start` and the last matching `end`, by the timestamps
    /// the service logged them with; nil when either is missing.
    func loggedDuration(from start: (ServiceLogLine) -> Bool, to end: (ServiceLogLine) -> Bool) -> Duration? {
        let lines = logLines
        guard let started = lines.first(where: start)?.date, let ended = lines.last(where: end)?.date else { return nil }
        return .milliseconds(Int64((ended.timeIntervalSince(started) * 1000).rounded()))
    }

    /// How the process ended, or nil while it runs.
    var exitStatus: ChildExit? { child?.exitStatus }

    /// Standard error so far (the service logs to stdout; this holds crashes and configuration errors).
    var standardError: String { child?.standardError ?? "" }

    /// The last `count` log lines as text, for failure messages.
    func tail(_ count: Int = 20) -> String {
        let recent = logLines.suffix(count).map { line in
            "\(line.level) \(line.message) \(line.metadata.sorted(by: { $0.key < $1.key }).map { "\($0.key)=\($0.value)" }.joined(separator: " "))"
        }
        return (recent + ["stderr: " + standardError.suffix(2000)]).joined(separator: "\n")
    }

    private func receive(_ text: String) {
        guard let line = ServiceLogLine(json: text) else {
            lock.withLock { unparsed.append(text) }
            return
        }
        lock.withLock {
            lines.append(line)
            if let event = line.processedEvent {
                processedOffsets.record(partition: event.partition, offset: event.offset)
            } else if let dropped = line.droppedLineCount {
                droppedLines += dropped
            } else if line.message == "Partitions assigned" {
                currentAssignment.formUnion(line.partitionNumbers)
            } else if line.message == "Partitions revoked" || line.message == "Partitions lost" {
                currentAssignment.subtract(line.partitionNumbers)
            }
        }
    }

    // MARK: Waiting (hang bounds, never performance expectations)

    /// Waits until `condition` holds. Throws `ChildProcessError.timedOut` (with the log's tail) when
    /// `timeout` passes first, or at once when the service exited meanwhile.
    func waitUntil(
        _ what: String, timeout: Duration = .seconds(60), _ condition: (ServiceProcess) -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition(self) {
            try checkNoLinesDropped(while: what)
            if let exit = exitStatus {
                // One more look: the exit is known only after the last line was read, and those last
                // lines may be what the condition waits for.
                if condition(self) { return }
                throw ChildProcessError(description: "\(what): the service \(exit) first\n\(tail())")
            }
            guard ContinuousClock.now < deadline else {
                throw ChildProcessError(description: "timed out after \(timeout) waiting for \(what)\n\(tail())")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Throws when the service dropped log lines, naming the cause: a test counting lines would otherwise
    /// fail later with a misleading "missing offsets" or "timed out".
    func checkNoLinesDropped(while what: String) throws {
        let dropped = droppedLogLines
        guard dropped == 0 else {
            throw ChildProcessError(
                description: "\(what): the service dropped \(dropped) log lines (its log reader, this test, fell more than "
                    + "LOG_BUFFER_SIZE behind), so the test cannot know everything it did\n\(tail())"
            )
        }
    }

    /// Waits until the service owns at least one partition (it joined the group and got an assignment).
    func waitForAssignment(timeout: Duration = .seconds(60)) async throws {
        try await waitUntil("a partition assignment", timeout: timeout) { !$0.assignment.isEmpty }
    }

    /// Waits until at least `count` events were processed (repeats included).
    func waitForProcessed(count: Int, timeout: Duration = .seconds(120)) async throws {
        try await waitUntil("\(count) processed events", timeout: timeout) { $0.processed.count >= count }
    }

    /// Waits until every offset below each partition's high watermark was processed at least once.
    func waitForProcessed(upTo highWatermarks: [Int32: Int64], timeout: Duration = .seconds(120)) async throws {
        try await waitUntil("every offset below \(highWatermarks.sorted(by: { $0.key < $1.key }))", timeout: timeout) {
            $0.processed.missing(below: highWatermarks).isEmpty
        }
    }

    /// Waits until a log line satisfying `predicate` appears.
    func waitForLine(_ what: String, timeout: Duration = .seconds(60), where predicate: @escaping (ServiceLogLine) -> Bool) async throws {
        try await waitUntil(what, timeout: timeout) { $0.logLines.contains(where: predicate) }
    }

    // MARK: Stopping

    /// SIGTERM: the graceful shutdown.
    func terminate() { child?.send(signal: SIGTERM) }

    /// SIGKILL: a crash, nothing committed beyond what already was.
    func kill() { child?.send(signal: SIGKILL) }

    /// Sends `signal`.
    func send(signal: Int32) { child?.send(signal: signal) }

    /// Waits for the exit (a hang bound; the process is killed and an error thrown when it passes).
    @discardableResult
    func waitForExit(timeout: Duration = .seconds(60)) async throws -> ChildExit {
        guard let child else { throw ChildProcessError(description: "not started") }
        let exit: ChildExit
        do {
            exit = try await child.waitForExit(timeout: timeout)
        } catch {
            throw ChildProcessError(description: "\(error)\n\(tail())")
        }
        // Every line has been read by now (the exit is known only after the end of stdout).
        try checkNoLinesDropped(while: "waiting for the exit")
        return exit
    }

    /// SIGTERM, then waits for the exit; returns how it ended and how long that took from the signal.
    func timedShutDown(timeout: Duration = .seconds(60)) async throws -> (exit: ChildExit, took: Duration) {
        let signalled = ContinuousClock.now
        let exit = try await shutDown(timeout: timeout)
        return (exit, ContinuousClock.now - signalled)
    }

    /// SIGTERM, then waits for the exit; returns how it ended.
    @discardableResult
    func shutDown(timeout: Duration = .seconds(60)) async throws -> ChildExit {
        terminate()
        return try await waitForExit(timeout: timeout)
    }
}
