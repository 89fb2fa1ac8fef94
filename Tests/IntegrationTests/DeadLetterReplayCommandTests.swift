import EventModel
import Foundation
import Kafka
import ProcessingCore
import Testing
import TestSupport
import EventModelTesting
import DeadLetterReplay

/// `processing-service dlq replay` (the built binary) against the mock broker, with the service running
/// in-process: replayed letters are processed again once fixed, a filter replays only its classes, a
/// letter that fails again is dead-lettered with one fresh set of headers, and a replay's position is
/// committed only as letters are confirmed.
@Suite(.timeLimit(.minutes(5)))
struct DeadLetterReplayCommandTests {
    /// Runs `processing-service dlq replay <arguments>` to its end; returns its exit and standard output.
    func replay(_ arguments: [String], broker: MockBroker, group: String) async throws -> (exit: ChildExit, output: String) {
        let output = OutputLines()
        let child = try ChildProcess(
            name: "dlq-replay",
            executable: try BuiltProducts.executableURL(named: "processing-service"),
            arguments: ["dlq", "replay"] + arguments,
            environment: [
                "KAFKA_BROKERS": broker.bootstrapServers, "KAFKA_TOPIC": "events", "KAFKA_GROUP_ID": group,
                "LOG_FORMAT": "json", "KAFKA_CFG_SESSION_TIMEOUT_MS": "6000",
            ],
            onLine: { output.append($0) }
        )
        let exit = try await child.waitForExit(timeout: .seconds(120))
        if exit != .exited(0) { print("dlq replay \(arguments) \(exit):\n\(output.text)\n\(child.standardError)") }
        return (exit, output.text)
    }

    func sum(_ offsets: [Int32: Int64]) -> Int64 { offsets.values.reduce(0, +) }

    @Test func fixedProcessingFailuresAreReplayedAndProcessedAndTheFilterLeavesOtherClasses() async throws {
        let broker = try await MockBroker(topics: ["events": 3, "events.dlq": 2])
        let group = uniqueGroupID("dlq-replay")
        var records = RecordPublisher.validEvents(topic: "events", count: 30, partitions: 3)
        records.append(ProducerRecord(topic: "events", partition: 0, key: Array("k".utf8), value: Array("not json".utf8)))
        records.append(ProducerRecord(topic: "events", partition: 1, value: Array(#"{"event_type":"x","timestamp":"2024-01-15T10:30:45Z"}"#.utf8)))
        let publisher = try RecordPublisher(bootstrapServers: broker.bootstrapServers)
        _ = try await publisher.publish(records)
        await publisher.close()

        // events[2]@3 and events[0]@7 fail on every attempt until the cause is "fixed".
        let broken: Set<TopicPartitionOffset> = [
            TopicPartitionOffset(TopicPartition(topic: "events", partition: 2), offset: 3),
            TopicPartitionOffset(TopicPartition(topic: "events", partition: 0), offset: 7),
        ]
        let processor = FaultProcessor { _, context in
            broken.contains(TopicPartitionOffset(context.topicPartition, offset: context.offset)) ? .fail : .succeed
        }
        let service = try EmbeddedService(
            environment: EmbeddedService.environment(broker: broker, topic: "events", group: group, ["PROCESSING_MAX_ATTEMPTS": "2"]),
            processor: processor
        )
        var ends = try await broker.highWatermarks(topic: "events", partitionCount: 3)
        try await eventually("every offset committed", timeout: .seconds(90)) {
            try await broker.committedOffsets(group: group, topic: "events", partitionCount: 3) == ends
        }
        let letters = try await TopicSnapshot.read(topic: "events.dlq", partitionCount: 2, bootstrapServers: broker.bootstrapServers)
        #expect(letters.map(DeadLetterReplayPlanner.errorClass(of:)).sorted() == ["invalid_json", "missing_field", "processing_failed", "processing_failed"])
        let failedIDs = Set(processor.allAttempts.filter { !$0.succeeded }.map(\.eventID))
        #expect(failedIDs.count == 2)

        // A dry run prints the two letters and publishes and commits nothing.
        let dryRun = try await replay(["--error-class", "processing_failed", "--dry-run"], broker: broker, group: group)
        #expect(dryRun.exit == .exited(0))
        #expect(dryRun.output.components(separatedBy: "\n").filter { $0.hasPrefix("would replay ") }.count == 2, "\(dryRun.output)")
        #expect(dryRun.output.contains("Dry run: would replay 2 dead letters"))
        #expect(try await broker.highWatermarks(topic: "events", partitionCount: 3) == ends)

        // Fixed: replaying the processing failures gets them processed; the invalid letters stay put.
        processor.setScript { _, _ in .succeed }
        let replayed = try await replay(["--error-class", "processing_failed"], broker: broker, group: group)
        #expect(replayed.exit == .exited(0))
        #expect(replayed.output.contains("Replayed 2 dead letters"), "\(replayed.output)")
        #expect(replayed.output.contains("skipped by filter: 2"), "\(replayed.output)")
        let afterReplay = try await broker.highWatermarks(topic: "events", partitionCount: 3)
        #expect(afterReplay[0] == ends[0]! + 1 && afterReplay[1] == ends[1] && afterReplay[2] == ends[2]! + 1, "back to their own partitions")
        ends = afterReplay
        try await eventually("the replayed letters processed and committed", timeout: .seconds(60)) {
            try await broker.committedOffsets(group: group, topic: "events", partitionCount: 3) == ends
        }
        let successes = processor.successCounts
        for id in failedIDs { #expect(successes[id] == 1, "\(id) processed once after the replay") }

        // The position was committed: the same replay finds nothing more; nothing new was dead-lettered.
        let again = try await replay(["--error-class", "processing_failed"], broker: broker, group: group)
        #expect(again.exit == .exited(0))
        #expect(again.output.contains("Replayed 0 dead letters"), "\(again.output)")
        #expect(sum(try await broker.highWatermarks(topic: "events.dlq", partitionCount: 2)) == 4)
        await service.stop()
    }

    @Test func aReplayedLetterThatFailsAgainGetsOneFreshSetOfDeadLetterHeaders() async throws {
        let broker = try await MockBroker(topics: ["events": 2, "events.dlq": 1])
        let group = uniqueGroupID("dlq-refail")
        var records = RecordPublisher.validEvents(topic: "events", count: 10, partitions: 2)
        let invalid = ProducerRecord(
            topic: "events", partition: 1, key: Array("user-9".utf8), value: Array(#"{"event_id":42}"#.utf8),
            headers: [KafkaHeader(name: "trace-id", value: Array("t-1".utf8))]
        )
        records.insert(invalid, at: 5)
        let publisher = try RecordPublisher(bootstrapServers: broker.bootstrapServers)
        _ = try await publisher.publish(records)
        await publisher.close()
        let service = try EmbeddedService(environment: EmbeddedService.environment(broker: broker, topic: "events", group: group))
        var ends = try await broker.highWatermarks(topic: "events", partitionCount: 2)
        try await eventually("every offset committed", timeout: .seconds(90)) {
            try await broker.committedOffsets(group: group, topic: "events", partitionCount: 2) == ends
        }

        let replayed = try await replay([], broker: broker, group: group)
        #expect(replayed.exit == .exited(0))
        #expect(replayed.output.contains("Replayed 1 dead letter "), "\(replayed.output)")
        let replayOffset = try #require(ends[1])
        ends = try await broker.highWatermarks(topic: "events", partitionCount: 2)
        try await eventually("the replayed letter dead-lettered again", timeout: .seconds(60)) {
            let committed = try await broker.committedOffsets(group: group, topic: "events", partitionCount: 2)
            let deadLettered = sum(try await broker.highWatermarks(topic: "events.dlq", partitionCount: 1))
            return committed == ends && deadLettered == 2
        }

        let letters = try await TopicSnapshot.read(topic: "events.dlq", partitionCount: 1, bootstrapServers: broker.bootstrapServers)
        let second = try #require(letters.last)
        let dlqNames = second.headers.map(\.name).filter { $0.hasPrefix(DeadLetterHeaders.prefix) }
        #expect(dlqNames.count == Set(dlqNames).count, "dlq.* headers replaced, not stacked: \(dlqNames)")
        #expect(Set(dlqNames) == Set(letters[0].headers.map(\.name).filter { $0.hasPrefix(DeadLetterHeaders.prefix) }))
        #expect(DeadLetterHeaders.value(DeadLetterHeaders.originalOffset, in: second.headers) == String(replayOffset))
        #expect(DeadLetterHeaders.value(DeadLetterHeaders.originalPartition, in: second.headers) == "1")
        #expect(DeadLetterHeaders.value(DeadLetterHeaders.errorClass, in: second.headers) == "wrong_type")
        #expect(second.headers.first == invalid.headers.first, "the original header survives both trips")
        #expect(second.key == invalid.key && second.value == invalid.value)
        await service.stop()
    }

    @Test func limitAndToTopicReplayInPiecesAndContinueWhereTheyStopped() async throws {
        let broker = try await MockBroker(topics: ["events": 1, "events.dlq": 1, "parking": 2])
        let group = uniqueGroupID("dlq-limit")
        let samples = SyntheticEventGenerator.invalidSamples().prefix(5)
        let publisher = try RecordPublisher(bootstrapServers: broker.bootstrapServers)
        _ = try await publisher.publish(samples.map { ProducerRecord(topic: "events", partition: 0, value: $0.value) })
        await publisher.close()
        let service = try EmbeddedService(environment: EmbeddedService.environment(broker: broker, topic: "events", group: group))
        try await eventually("five dead letters", timeout: .seconds(90)) {
            sum(try await broker.highWatermarks(topic: "events.dlq", partitionCount: 1)) == 5
        }
        await service.stop()

        let first = try await replay(["--limit", "2", "--to-topic", "parking"], broker: broker, group: group)
        #expect(first.exit == .exited(0))
        #expect(first.output.contains("Replayed 2 dead letters") && first.output.contains("stopped at --limit"), "\(first.output)")
        #expect(sum(try await broker.highWatermarks(topic: "parking", partitionCount: 2)) == 2)

        let rest = try await replay(["--to-topic", "parking"], broker: broker, group: group)
        #expect(rest.exit == .exited(0))
        #expect(rest.output.contains("Replayed 3 dead letters"), "\(rest.output)")
        let parked = try await TopicSnapshot.read(topic: "parking", partitionCount: 2, bootstrapServers: broker.bootstrapServers)
        func described(_ value: [UInt8]?) -> String { value.map { "value:" + $0.map(String.init).joined(separator: ",") } ?? "null" }
        #expect(parked.map { described($0.value) }.sorted() == samples.map { described($0.value) }.sorted(), "each letter parked exactly once, unchanged")

        let missing = try await replay(["--to-topic", "no-such-topic", "--read-from-beginning"], broker: broker, group: group)
        #expect(missing.exit == .exited(69), "a target topic that does not exist stops the replay")
    }
}
