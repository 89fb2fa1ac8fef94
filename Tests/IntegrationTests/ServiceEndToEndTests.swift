import Foundation
import Testing
import TestSupport

/// The built `processing-service` against a `mock-kafka` cluster in its own process (issue 2, "Tests"):
/// every event processed, every offset committed, restarts, `--read-from-beginning`, SIGTERM mid-stream.
///
/// Which offsets were processed is read from the service's own JSON log (`Processing event:` lines of
/// the default processor); what was committed is asked of the cluster from outside the group. Every
/// time limit is a hang bound, never a performance expectation.
@Suite("processing-service end to end", .serialized)
struct ServiceEndToEndTests {
    static let topic = "user-activity-events"
    static let partitionCount = 6

    /// A mock cluster with the topic and its dead-letter topic.
    static func startBroker(brokers: Int = 1) async throws -> MockBroker {
        try await MockBroker(brokers: brokers, topics: [topic: partitionCount, topic + ".dlq": 1])
    }

    @Test("10k events on 6 partitions: each processed exactly once; after SIGTERM every committed offset is the high watermark")
    func processesEveryEventExactlyOnce() async throws {
        let broker = try await Self.startBroker()
        defer { broker.requestStop() }
        try await EventPublisher.publish(to: broker, topic: Self.topic, count: 10_000)
        let watermarks = try await broker.highWatermarks(topic: Self.topic, partitionCount: Self.partitionCount)
        try #require(watermarks.values.reduce(0, +) == 10_000)
        #expect(watermarks.values.allSatisfy { $0 > 0 }, "the keys spread over every partition: \(watermarks)")

        let group = uniqueGroupID("exactly-once")
        let service = try ServiceProcess(environment: ServiceProcess.environment(broker: broker, topic: Self.topic, groupID: group))
        try await service.waitForProcessed(upTo: watermarks)
        #expect(try await service.shutDown() == .exited(0), "\(service.tail())")

        let processed = service.processed
        #expect(processed.count == 10_000)
        #expect(processed.duplicates.isEmpty, "processed twice: \(processed.duplicates)")
        #expect(processed.isExactlyOnce(upTo: watermarks), "\(processed)")
        #expect(processed.outOfOrderPartitions.isEmpty, "order within a partition is kept")
        #expect(try await broker.committedOffsets(group: group, topic: Self.topic, partitionCount: Self.partitionCount) == watermarks)
        #expect(service.errorLines.isEmpty, "\(service.errorLines.map(\.message))")
        #expect(service.unparsedLines.isEmpty, "every stdout line is a JSON log line: \(service.unparsedLines.prefix(3))")
        let summary = service.logLines.last { $0.message == "Consumer closed" }
        #expect(summary?.metadata["processed"] == "10000")
    }

    @Test("ENABLE_AUTO_COMMIT=false: the service commits finished work itself, never ahead of it, periodically and on shutdown")
    func explicitCommits() async throws {
        let broker = try await Self.startBroker()
        defer { broker.requestStop() }
        let group = uniqueGroupID("explicit-commits")
        let service = try ServiceProcess(
            environment: ServiceProcess.environment(broker: broker, topic: Self.topic, groupID: group, ["ENABLE_AUTO_COMMIT": "false"])
        )
        try await service.waitUntil("all partitions assigned") { $0.assignment.count == Self.partitionCount }
        let producing = try EventPublisher.start(to: broker, topic: Self.topic, count: 4_000, rate: 2_000)

        // While events flow, every committed offset must be backed by processed events. The service
        // logs an event before its offset can be committed, but this test reads the log through a pipe,
        // so a sample is checked once the log has caught up (a short bound).
        var samples = 0
        while samples < 200, service.processed.count < 4_000 {
            let committed = try await broker.committedOffsets(group: group, topic: Self.topic, partitionCount: Self.partitionCount)
            try await eventually("processed events behind the committed offsets \(committed)", timeout: .seconds(5), details: { "\(service.processed)" }) {
                service.processed.missing(below: committed).isEmpty
            }
            samples += 1
            try await Task.sleep(for: .milliseconds(100))
        }
        try await producing.finish()
        let watermarks = try await broker.highWatermarks(topic: Self.topic, partitionCount: Self.partitionCount)
        try await service.waitForProcessed(upTo: watermarks)
        // The commit timer (auto.commit.interval.ms, 200 ms here) commits while the service runs.
        try await eventually("every offset committed while running", timeout: .seconds(60)) {
            try await broker.committedOffsets(group: group, topic: Self.topic, partitionCount: Self.partitionCount) == watermarks
        }
        #expect(try await service.shutDown() == .exited(0), "\(service.tail())")
        #expect(service.processed.isExactlyOnce(upTo: watermarks), "\(service.processed)")
        #expect(try await broker.committedOffsets(group: group, topic: Self.topic, partitionCount: Self.partitionCount) == watermarks)
    }

    @Test("a restart in the same group reprocesses nothing: it starts where the first run committed")
    func restartReprocessesNothing() async throws {
        let broker = try await Self.startBroker()
        defer { broker.requestStop() }
        let group = uniqueGroupID("restart")
        // SIGINT (Ctrl-C) is a graceful shutdown too.
        let firstWatermarks = try await Self.processEverything(count: 1_200, broker: broker, group: group, stoppingWith: SIGINT)

        let restarted = try ServiceProcess(environment: ServiceProcess.environment(broker: broker, topic: Self.topic, groupID: group))
        try await restarted.waitUntil("all partitions assigned") { $0.assignment.count == Self.partitionCount }
        // Something new to process is the positive sign that the restarted service is consuming: once it
        // has processed these, it has fetched from its starting positions on every partition.
        try await EventPublisher.publish(to: broker, topic: Self.topic, count: 120, seed: 2)
        let watermarks = try await broker.highWatermarks(topic: Self.topic, partitionCount: Self.partitionCount)
        try await restarted.waitUntil("the new events processed") {
            $0.processed.missing(below: watermarks, from: firstWatermarks).isEmpty
        }
        #expect(try await restarted.shutDown() == .exited(0), "\(restarted.tail())")

        let processed = restarted.processed
        #expect(processed.count == 120, "only the new events: \(processed)")
        for partition in processed.partitions {
            let reprocessed = processed.offsets(of: partition).filter { $0 < firstWatermarks[partition, default: 0] }
            #expect(reprocessed.isEmpty, "partition \(partition) reprocessed \(reprocessed)")
        }
        #expect(processed.duplicates.isEmpty)
        #expect(try await broker.committedOffsets(group: group, topic: Self.topic, partitionCount: Self.partitionCount) == watermarks)
    }

    @Test("--read-from-beginning in a group that committed everything reprocesses every event once, then commits")
    func readFromBeginningReprocessesEverything() async throws {
        let broker = try await Self.startBroker()
        defer { broker.requestStop() }
        let group = uniqueGroupID("from-beginning")
        let watermarks = try await Self.processEverything(count: 1_200, broker: broker, group: group)

        let rereading = try ServiceProcess(
            environment: ServiceProcess.environment(broker: broker, topic: Self.topic, groupID: group),
            arguments: ["--read-from-beginning"]
        )
        try await rereading.waitForProcessed(upTo: watermarks)
        #expect(try await rereading.shutDown() == .exited(0), "\(rereading.tail())")

        let processed = rereading.processed
        #expect(processed.isExactlyOnce(upTo: watermarks), "\(processed); duplicates \(processed.duplicates)")
        #expect(processed.outOfOrderPartitions.isEmpty)
        #expect(try await broker.committedOffsets(group: group, topic: Self.topic, partitionCount: Self.partitionCount) == watermarks)
    }

    // MARK: Helpers

    /// Publishes `count` events, runs the service in `group` until it processed all of them, stops it
    /// with SIGTERM and checks that it committed everything. Returns the high watermarks.
    static func processEverything(
        count: Int, broker: MockBroker, group: String, stoppingWith signal: Int32 = SIGTERM
    ) async throws -> [Int32: Int64] {
        try await EventPublisher.publish(to: broker, topic: topic, count: count)
        let watermarks = try await broker.highWatermarks(topic: topic, partitionCount: partitionCount)
        let service = try ServiceProcess(environment: ServiceProcess.environment(broker: broker, topic: topic, groupID: group))
        try await service.waitForProcessed(upTo: watermarks)
        service.send(signal: signal)
        try #require(try await service.waitForExit() == .exited(0), "\(service.tail())")
        try #require(service.processed.isExactlyOnce(upTo: watermarks))
        try #require(try await broker.committedOffsets(group: group, topic: topic, partitionCount: partitionCount) == watermarks)
        return watermarks
    }
}
