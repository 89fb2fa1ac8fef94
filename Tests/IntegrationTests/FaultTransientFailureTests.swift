import Foundation
import Kafka
import ProcessingCore
import Testing
import TestSupport

/// A processor failing transiently on one partition, against the mock broker: the partition waits in
/// order while the others flow, and a backoff longer than `max.poll.interval.ms` does not get the
/// consumer evicted.
@Suite(.timeLimit(.minutes(5)))
struct FaultTransientFailureTests {
    @Test func otherPartitionsProgressWhileOnePartitionRetriesInOrder() async throws {
        let broker = try await MockBroker(topics: ["events": 3])
        let group = uniqueGroupID("fault-transient")
        let failing = TopicPartitionOffset(TopicPartition(topic: "events", partition: 0), offset: 5)
        let publisher = try RecordPublisher(bootstrapServers: broker.bootstrapServers)
        _ = try await publisher.publish(RecordPublisher.validEvents(topic: "events", count: 90, partitions: 3))
        await publisher.close()

        // The event at events[0]@5 fails three times, 1 s apart, and succeeds on its fourth attempt.
        let processor = FaultProcessor { _, context in
            context.topicPartition == failing.topicPartition && context.offset == failing.offset && context.attempt < 4 ? .fail : .succeed
        }
        let service = try EmbeddedService(
            environment: EmbeddedService.environment(broker: broker, topic: "events", group: group, [
                "PROCESSING_MAX_ATTEMPTS": "5", "PROCESSING_BACKOFF_BASE": "1s", "PROCESSING_BACKOFF_MULTIPLIER": "1",
            ]),
            processor: processor
        )
        let ends = try await broker.highWatermarks(topic: "events", partitionCount: 3)
        try await eventually("every offset committed", timeout: .seconds(90)) {
            try await broker.committedOffsets(group: group, topic: "events", partitionCount: 3) == ends
        }
        await service.stop()

        let attempts = processor.allAttempts
        let failingAttempts = attempts.filter { $0.partition == 0 && $0.offset == failing.offset }
        #expect(failingAttempts.map(\.attempt) == [1, 2, 3, 4])
        #expect(failingAttempts.map(\.succeeded) == [false, false, false, true])
        // While events[0]@5 waited (~3 s), partitions 1 and 2 were processed completely.
        let successIndex = try #require(attempts.firstIndex { $0.partition == 0 && $0.offset == failing.offset && $0.succeeded })
        let othersBefore = attempts[..<successIndex].filter { $0.partition != 0 && $0.succeeded }.count
        #expect(othersBefore == 60, "other partitions flowed while partition 0 waited")
        // Partition 0 kept its order: nothing after offset 5 ran before it succeeded; each event once.
        let processed = processor.processed
        #expect(processed.offsets(of: 0) == Array(0..<30))
        #expect(processed.isExactlyOnce(upTo: ends), "\(processed)")
        #expect(processed.outOfOrderPartitions.isEmpty)
    }

    @Test func aBackoffLongerThanMaxPollIntervalDoesNotEvictTheConsumer() async throws {
        let broker = try await MockBroker(topics: ["events": 2])
        let group = uniqueGroupID("fault-maxpoll")
        let publisher = try RecordPublisher(bootstrapServers: broker.bootstrapServers)
        _ = try await publisher.publish(RecordPublisher.validEvents(topic: "events", count: 20, partitions: 2))

        // events[1]@3 fails once; its retry comes 10 s later, well past max.poll.interval.ms (7 s).
        let processor = FaultProcessor { _, context in
            context.topicPartition.partition == 1 && context.offset == 3 && context.attempt == 1 ? .fail : .succeed
        }
        let service = try EmbeddedService(
            environment: EmbeddedService.environment(broker: broker, topic: "events", group: group, [
                "PROCESSING_MAX_ATTEMPTS": "2", "PROCESSING_BACKOFF_BASE": "10s",
                "KAFKA_CFG_MAX_POLL_INTERVAL_MS": "7000", "KAFKA_CFG_SESSION_TIMEOUT_MS": "6000",
            ]),
            processor: processor
        )
        try await eventually("the first attempt failed", timeout: .seconds(60)) {
            processor.allAttempts.contains { !$0.succeeded }
        }
        let assignmentLines = service.log.lines(startingWith: "Partitions assigned").count
        // Events keep arriving during the backoff; the other partition takes them.
        _ = try await publisher.publish(RecordPublisher.validEvents(topic: "events", count: 20, partitions: 2, seed: 2))
        await publisher.close()
        let ends = try await broker.highWatermarks(topic: "events", partitionCount: 2)
        try await eventually("every offset committed", timeout: .seconds(90)) {
            try await broker.committedOffsets(group: group, topic: "events", partitionCount: 2) == ends
        }

        let retried = processor.allAttempts.filter { $0.partition == 1 && $0.offset == 3 }
        #expect(retried.map(\.succeeded) == [false, true])
        if retried.count == 2 {
            #expect(retried[1].at - retried[0].at >= .seconds(9), "the backoff really outlasted max.poll.interval.ms")
        }
        let log = service.log
        #expect(log.lines(startingWith: "Partitions lost").isEmpty, "the consumer was never evicted")
        #expect(log.lines(startingWith: "Partitions revoked").isEmpty, "no rebalance while the service ran")
        #expect(
            log.lines(startingWith: "Partitions assigned").count == assignmentLines && assignmentLines > 0,
            "the same member kept its partitions: no assignment after the first"
        )
        let processed = processor.processed
        #expect(processed.isExactlyOnce(upTo: ends), "no duplicate processing: \(processed)")
        #expect(processed.outOfOrderPartitions.isEmpty)
        await service.stop()
    }
}
