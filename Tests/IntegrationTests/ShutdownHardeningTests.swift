import Foundation
import Kafka
import ProcessingCore
import Testing
import TestSupport

/// Issue 11, items 1, 2, 5 and 8: how the real `processing-service` ends when it is stopped at awkward
/// moments — during its group join, before it is connected, with the broker gone, with a dead letter
/// stuck — against `mock-kafka`.
@Suite(.timeLimit(.minutes(10)))
struct ShutdownHardeningTests {
    /// Seconds allowed beyond the documented shutdown bound, measured by the service's own clock
    /// (`loggedShutdownDuration`): its timers fire late when the whole suite loads both cores. Small
    /// enough that the old behaviour (12.0 s and 20.8 s with SHUTDOWN_TIMEOUT=2) still fails. The time
    /// until the test sees the exit is not compared with the bound: it includes the test process reading
    /// the log, which the loaded suite delayed by 4 s beyond the service's own exit (11.3 s seen in CI).
    static let loadSlack = 3
    /// librdkafka 2.0.2 aborted (`rdkafka_sticky_assignor.c:1896 … Assertion 'assignor_state' failed`,
    /// #4312) in 5 of 12 such starts before the close waited for the join. Three lanes of ten starts in
    /// one group (each start is a rejoin that the others' comings and goings keep long), each stopped
    /// at a random moment in its first 5 s: every exit is the graceful one.
    @Test("30 starts each stopped by SIGTERM at a random moment in the first 5 s: 0 crashes, every exit 0")
    func sigtermDuringTheGroupJoinNeverAborts() async throws {
        let broker = try await MockBroker(topics: ["events": 6, "events.dlq": 1])
        defer { broker.requestStop() }
        let group = uniqueGroupID("join-sigterm")
        let environment = ServiceProcess.environment(broker: broker, topic: "events", groupID: group, ["SHUTDOWN_TIMEOUT": "5"])
        let started = ContinuousClock.now
        let exits = try await withThrowingTaskGroup(of: [String].self) { lanes in
            for lane in 0..<3 {
                lanes.addTask {
                    var failures: [String] = []
                    for run in 0..<10 {
                        let spawned = ContinuousClock.now
                        let service = try ServiceProcess(name: "join-\(lane)-\(run)", environment: environment)
                        // The stimulus, not a wait for a condition: a moment anywhere in the first 5 s, but
                        // not before the process runs its own code (its first line): until then the signal
                        // has its default effect, as for any program.
                        let delay = Duration.milliseconds(Int.random(in: 0..<5_000))
                        try await service.waitForLine("the first line", timeout: .seconds(30)) { _ in true }
                        try await Task.sleep(until: spawned + delay, clock: .continuous)
                        service.terminate()
                        let exit = try await service.waitForExit(timeout: .seconds(60))
                        if exit != .exited(0) {
                            failures.append("lane \(lane) run \(run) (SIGTERM after \(delay)): \(exit)\n\(service.tail(8))")
                        }
                    }
                    return failures
                }
            }
            return try await lanes.reduce(into: []) { $0 += $1 }
        }
        #expect(exits.isEmpty, "\(exits.count) of 30 did not exit 0:\n\(exits.joined(separator: "\n"))")
        print("30 SIGTERMs during the group join took \(ContinuousClock.now - started)")
    }

    /// Before the fix the signal handlers started with the service group: a SIGTERM during the start-up
    /// retries killed the process by the signal, without a word.
    @Test("SIGTERM during the start-up connection retries: a log line and exit 0, not death by the signal")
    func sigtermDuringStartupRetries() async throws {
        let refusing = try RefusingPort()
        let unreachable = "127.0.0.1:\(refusing.port)"
        let service = try ServiceProcess(
            name: "service-unreachable",
            environment: [
                "KAFKA_BROKERS": unreachable, "KAFKA_TOPIC": "events", "LOG_FORMAT": "json", "MAX_RETRIES": "100",
                "RETRY_DELAY": "1",
            ])
        try await service.waitForLine("a start-up retry", timeout: .seconds(60)) { $0.message == "Kafka not ready, retrying" }
        service.terminate()
        let exit = try await service.waitForExit(timeout: .seconds(30))
        #expect(exit == .exited(0), "\(service.tail())")
        #expect(service.logLines.contains { $0.message.contains("received during start-up") }, "\(service.tail())")
    }

    @Test("SIGTERM as soon as the service logs its first line: exit 0")
    func sigtermAtTheFirstLine() async throws {
        let refusing = try RefusingPort()
        let unreachable = "127.0.0.1:\(refusing.port)"
        let service = try ServiceProcess(
            name: "service-first-line",
            environment: ["KAFKA_BROKERS": unreachable, "KAFKA_TOPIC": "events", "LOG_FORMAT": "json", "RETRY_DELAY": "1"])
        try await service.waitForLine("the start-up line", timeout: .seconds(60)) { $0.message.hasPrefix("Starting Processing Service") }
        service.terminate()
        #expect(try await service.waitForExit(timeout: .seconds(30)) == .exited(0), "\(service.tail())")
    }

    /// Item 8: with the broker gone, the final commit cannot happen. It used to be one warning among the
    /// connection errors and a clean-looking `Consumer closed`; now an error line names every position
    /// not committed. The summary counts exactly the events processed. Item 5: the whole shutdown stays
    /// within SHUTDOWN_TIMEOUT + 5 s although librdkafka's close waits `session.timeout.ms` here.
    @Test("broker down at shutdown: the uncommitted positions at error level, exact counts, exit 0 within SHUTDOWN_TIMEOUT + 5 s")
    func failedFinalCommitIsAnErrorWithItsPositions() async throws {
        let broker = try await MockBroker(topics: ["events": 3, "events.dlq": 1])
        defer { broker.requestStop() }
        try await EventPublisher.publish(to: broker, topic: "events", count: 40)
        let environment = ServiceProcess.environment(
            broker: broker, topic: "events", groupID: uniqueGroupID("commit-fails"),
            // No periodic commit before the shutdown; a session timeout longer than the shutdown bound.
            ["SHUTDOWN_TIMEOUT": "2", "KAFKA_CFG_AUTO_COMMIT_INTERVAL_MS": "600000", "KAFKA_CFG_SESSION_TIMEOUT_MS": "20000"])
        let service = try ServiceProcess(name: "service-commit-fails", environment: environment)
        try await service.waitForProcessed(count: 40)
        try await broker.setBrokerDown(1)
        let (exit, took) = try await service.timedShutDown(timeout: .seconds(60))
        #expect(exit == .exited(0), "\(service.tail())")
        // The bound is SHUTDOWN_TIMEOUT + 5 s, and this case uses all of it (7.0 s measured alone); see
        // `loadSlack`. Before the fix it took 20.8 s.
        let shutdown = try #require(service.loggedShutdownDuration, "\(service.tail())")
        #expect(shutdown < .seconds(2 + 5 + Self.loadSlack), "shutdown took \(shutdown) (the exit was seen after \(took))")
        let failure = service.errorLines.first { $0.message.contains("not committed") || $0.message.contains("did not finish") }
        #expect(failure != nil, "an error line says what was not committed:\n\(service.tail())")
        let uncommitted = Set((failure?.metadata["uncommitted"] ?? "").split(separator: ",").map(String.init))
        let expected = Set(service.processed.partitions.map { "events[\($0)]@\((service.processed.maxOffset(of: $0) ?? -1) + 1)" })
        #expect(uncommitted == expected, "\(failure?.metadata ?? [:])")
        let summary = try #require(service.logLines.last { $0.message == "Consumer closed" }, "\(service.tail())")
        #expect(summary.metadata["processed"] == "40")
    }

    /// Item 5 and the summary of item 8: a dead letter that cannot be written (its partition has no
    /// leader) holds its worker at shutdown. Exit took SHUTDOWN_TIMEOUT + 10 s (a fixed producer flush)
    /// + 5 s, and the summary said `processed=0` although the events before the letter were processed.
    @Test("a dead letter stuck at shutdown: exit within SHUTDOWN_TIMEOUT + 5 s, the summary counts the processed events")
    func stuckDeadLetterDoesNotStretchTheShutdown() async throws {
        let broker = try await MockBroker(topics: ["events": 1, "events.dlq": 1])
        defer { broker.requestStop() }
        var records = RecordPublisher.validEvents(topic: "events", count: 10, partitions: 1)
        records.insert(ProducerRecord(topic: "events", partition: 0, key: Array("bad".utf8), value: Array("{oops".utf8)), at: 5)
        let publisher = try RecordPublisher(bootstrapServers: broker.bootstrapServers)
        _ = try await publisher.publish(records)
        await publisher.close()
        try await broker.send(command: "leader events.dlq 0 none")
        let shutdownTimeout = 2
        let service = try ServiceProcess(
            name: "service-stuck-letter",
            environment: ServiceProcess.environment(
                broker: broker, topic: "events", groupID: uniqueGroupID("stuck-letter"), ["SHUTDOWN_TIMEOUT": String(shutdownTimeout)]))
        try await service.waitForProcessed(count: 5)
        let (exit, took) = try await service.timedShutDown(timeout: .seconds(60))
        #expect(exit == .exited(0), "\(service.tail())")
        // Before the fix: 12.0 s (SHUTDOWN_TIMEOUT + a fixed 10 s producer flush); see `loadSlack`.
        let shutdown = try #require(service.loggedShutdownDuration, "\(service.tail())")
        #expect(shutdown < .seconds(shutdownTimeout + 5 + Self.loadSlack), "shutdown took \(shutdown) (the exit was seen after \(took))")
        let summary = try #require(service.logLines.last { $0.message == "Consumer closed" }, "\(service.tail())")
        #expect(summary.metadata["processed"] == "5", "\(summary.metadata)")
    }
}
