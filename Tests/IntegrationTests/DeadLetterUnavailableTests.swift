import EventModel
import Foundation
import Kafka
import ProcessingCore
import Testing
import TestSupport

/// The dead-letter topic cannot be written for a while (produce errors injected into the mock broker,
/// or its partition without a leader), or dead-lettering is disabled: the partition of the bad message
/// waits — nothing after it is processed or committed — while the other partitions flow; when the
/// topic is back, the message is dead-lettered exactly once and the partition goes on.
@Suite(.timeLimit(.minutes(5)))
struct DeadLetterUnavailableTests {
    /// 9 valid events per partition of `events` (3 partitions), and `events[0]@5` invalid JSON between them.
    func publishWithOneInvalidRecord(_ broker: MockBroker) async throws -> TopicPartitionOffset {
        var records = RecordPublisher.validEvents(topic: "events", count: 27, partitions: 3)
        records.insert(ProducerRecord(topic: "events", partition: 0, key: Array("bad".utf8), value: Array("{oops".utf8)), at: 15)
        let publisher = try RecordPublisher(bootstrapServers: broker.bootstrapServers)
        let positions = try await publisher.publish(records)
        await publisher.close()
        let invalid = positions[15]
        #expect(invalid == TopicPartitionOffset(TopicPartition(topic: "events", partition: 0), offset: 5))
        return invalid
    }

    /// Checks, while the dead-letter topic is unavailable, that partition 0 waits at its bad record and
    /// the others are complete.
    func expectWaitingAtTheInvalidRecord(_ processor: FaultProcessor) async throws {
        try await eventually("partitions 1 and 2 processed while partition 0 waits", timeout: .seconds(60)) {
            processor.processed.offsets(of: 1).count == 9 && processor.processed.offsets(of: 2).count == 9
        }
        #expect(processor.processed.offsets(of: 0) == [0, 1, 2, 3, 4], "nothing after the bad record while it cannot be dead-lettered")
    }

    /// Publishes `perPartition` more valid events to each of `partitions` and waits until the service has
    /// committed partitions 1 and 2 to their new ends: the signal that it went on working (polling,
    /// processing, committing) for a while, instead of a sleep that a slow machine could outrun.
    func publishMoreAndWaitForPartitions1And2(
        _ broker: MockBroker, group: String, partitions: [Int32], perPartition: Int
    ) async throws {
        let records = partitions.flatMap { partition in
            RecordPublisher.validEvents(topic: "events", count: perPartition, partitions: 1, seed: UInt64(100 + partition))
                .map { ProducerRecord(topic: "events", partition: partition, key: $0.key, value: $0.value) }
        }
        let publisher = try RecordPublisher(bootstrapServers: broker.bootstrapServers)
        _ = try await publisher.publish(records)
        await publisher.close()
        let ends = try await broker.highWatermarks(topic: "events", partitionCount: 3)
        try await eventually("partitions 1 and 2 committed to their new ends", timeout: .seconds(90)) {
            let committed = try await broker.committedOffsets(group: group, topic: "events", partitionCount: 3)
            return committed[1] == ends[1] && committed[2] == ends[2]
        }
    }

    /// After recovery: the one letter is in the dead-letter topic exactly once, every offset committed,
    /// every valid event processed exactly once (`valid` of them).
    func expectRecovered(
        _ broker: MockBroker, group: String, processor: FaultProcessor, invalid: TopicPartitionOffset, valid: Int = 27
    ) async throws {
        let ends = try await broker.highWatermarks(topic: "events", partitionCount: 3)
        try await eventually("every offset committed", timeout: .seconds(90)) {
            try await broker.committedOffsets(group: group, topic: "events", partitionCount: 3) == ends
        }
        let letters = try await TopicSnapshot.read(topic: "events.dlq", partitionCount: 1, bootstrapServers: broker.bootstrapServers)
        #expect(letters.count == 1, "exactly once, despite the failed writes")
        #expect(letters.first.flatMap { DeadLetterHeaders.value(DeadLetterHeaders.originalOffset, in: $0.headers) } == String(invalid.offset))
        let processed = processor.processed
        #expect(processed.duplicates.isEmpty && processed.count == valid, "\(processed)")
        #expect(processed.offsets(of: 0) == [0, 1, 2, 3, 4, 6, 7, 8, 9])
    }

    @Test func retriableProduceErrorsOnTheDeadLetterTopicMakeThePartitionWaitAndWriteItOnce() async throws {
        let broker = try await MockBroker(topics: ["events": 3, "events.dlq": 1])
        let group = uniqueGroupID("dlq-produce-retriable")
        let invalid = try await publishWithOneInvalidRecord(broker)
        // The service is the only producer from now on: its next 40 Produce requests (the dead letter,
        // retried by librdkafka every retry.backoff.ms) fail with NOT_ENOUGH_REPLICAS (19).
        try await broker.pushRequestErrors(apiKey: 0, errorCodes: Array(repeating: 19, count: 40))
        let processor = FaultProcessor()
        let service = try EmbeddedService(
            environment: EmbeddedService.environment(broker: broker, topic: "events", group: group), processor: processor
        )
        try await expectWaitingAtTheInvalidRecord(processor)
        try await expectRecovered(broker, group: group, processor: processor, invalid: invalid)
        await service.stop()
    }

    /// A non-retriable produce error (TOPIC_AUTHORIZATION_FAILED) puts the dead-letter topic into an
    /// error state in librdkafka; the next `rd_kafka_produceva` of a dead letter (which has headers) is
    /// rejected by the partitioner. librdkafka 2.0.2 then frees `VTYPE_HEADER` headers twice
    /// (confluentinc/librdkafka#4627); the producer passes application-owned headers instead, so this
    /// test also guards that workaround (it crashed the process with SIGSEGV before).
    @Test
    func nonRetriableProduceErrorsOnTheDeadLetterTopicPauseThePartitionUntilItCanBeWritten() async throws {
        let broker = try await MockBroker(topics: ["events": 3, "events.dlq": 1])
        let group = uniqueGroupID("dlq-produce-errors")
        let invalid = try await publishWithOneInvalidRecord(broker)
        // The next four Produce requests (the dead letter) fail with TOPIC_AUTHORIZATION_FAILED (29), a
        // non-retriable error; the pipeline retries after 0.5, 1, 2 and 4 s with the partition paused.
        try await broker.pushRequestErrors(apiKey: 0, errorCodes: [29, 29, 29, 29])
        let processor = FaultProcessor()
        let service = try EmbeddedService(
            environment: EmbeddedService.environment(broker: broker, topic: "events", group: group), processor: processor
        )
        try await eventually("a failed dead-letter write", timeout: .seconds(60)) {
            !service.log.lines(startingWith: "Cannot write to the dead-letter topic").isEmpty
        }
        try await expectWaitingAtTheInvalidRecord(processor)
        try await expectRecovered(broker, group: group, processor: processor, invalid: invalid)
        await service.stop()
    }

    @Test func aDeadLetterPartitionWithoutLeaderMakesThePartitionWaitUntilTheLeaderIsBack() async throws {
        let broker = try await MockBroker(topics: ["events": 3, "events.dlq": 1])
        let group = uniqueGroupID("dlq-no-leader")
        let invalid = try await publishWithOneInvalidRecord(broker)
        try await broker.send(command: "leader events.dlq 0 none")
        let processor = FaultProcessor()
        let service = try EmbeddedService(
            environment: EmbeddedService.environment(broker: broker, topic: "events", group: group), processor: processor
        )
        try await expectWaitingAtTheInvalidRecord(processor)
        try await publishMoreAndWaitForPartitions1And2(broker, group: group, partitions: [1, 2], perPartition: 3)
        #expect(processor.processed.offsets(of: 0) == [0, 1, 2, 3, 4], "still waiting")
        #expect(try await broker.committedOffsets(group: group, topic: "events", partitionCount: 3)[0] == 5)
        try await broker.send(command: "leader events.dlq 0 1")
        try await expectRecovered(broker, group: group, processor: processor, invalid: invalid, valid: 33)
        await service.stop()
    }

    @Test func withDeadLetteringDisabledAnInvalidRecordHaltsOnlyItsPartition() async throws {
        let broker = try await MockBroker(topics: ["events": 3])
        let group = uniqueGroupID("dlq-disabled")
        _ = try await publishWithOneInvalidRecord(broker)
        let processor = FaultProcessor()
        let service = try EmbeddedService(
            environment: EmbeddedService.environment(broker: broker, topic: "events", group: group, ["DLQ_ENABLED": "false"]),
            processor: processor
        )
        let expected: [Int32: Int64] = [0: 5, 1: 9, 2: 9]
        try await eventually("partitions 1 and 2 committed to their end, partition 0 up to the bad record", timeout: .seconds(90)) {
            try await broker.committedOffsets(group: group, topic: "events", partitionCount: 3) == expected
                && !service.log.lines(startingWith: "Partition stopped").isEmpty
        }
        // It stays stopped while the others go on: new events on every partition, and once partitions 1
        // and 2 have committed theirs, partition 0 has still processed and committed nothing new.
        try await publishMoreAndWaitForPartitions1And2(broker, group: group, partitions: [0, 1, 2], perPartition: 3)
        #expect(try await broker.committedOffsets(group: group, topic: "events", partitionCount: 3)[0] == 5)
        #expect(processor.processed.offsets(of: 0) == [0, 1, 2, 3, 4], "nothing after the bad record")
        #expect(processor.processed.count == 29)
        let stopped = try #require(service.log.lines(startingWith: "Partition stopped").first)
        #expect(stopped.level == "error")
        #expect(stopped.metadata["partition"] == "0" && stopped.metadata["offset"] == "5")
        #expect(service.isRunning, "the service keeps running for the other partitions")
        await service.stop()
    }
}
