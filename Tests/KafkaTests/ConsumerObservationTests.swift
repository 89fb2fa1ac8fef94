import Kafka
import Logging
import TestSupport
import Testing

/// What a running `KafkaConsumer` tells observers (issue 13): watermarks and committed offsets queried on
/// its own handle — also for a paused partition, whose high watermark librdkafka stops refreshing —, the
/// member id, the poll heartbeat, rebalances by kind, commit failures and librdkafka's statistics.
@Suite(.serialized) struct ConsumerObservationTests {
    private static let logger: Logger = {
        var logger = Logger(label: "consumer-observation-test")
        logger.logLevel = .warning
        return logger
    }()

    private static func configuration(_ broker: MockBroker, _ extra: [String: String] = [:]) -> KafkaConfiguration {
        KafkaConfiguration([
            "bootstrap.servers": broker.bootstrapServers,
            "group.id": "group-\(UInt64.random(in: 0...UInt64.max))",
            "session.timeout.ms": "6000",
            "heartbeat.interval.ms": "500",
            "auto.offset.reset": "earliest",
            "auto.commit.interval.ms": "200",
        ].merging(extra) { $1 })
    }

    private static func records(partition: Int32, count: Int, from start: Int = 0) -> [ProducerRecord] {
        (start..<(start + count)).map { index in
            ProducerRecord(topic: "events", partition: partition, key: Array("k\(index)".utf8), value: Array("v\(index)".utf8))
        }
    }

    /// Retries `condition` until it holds. - Parameter timeout: a hang bound.
    private static func eventually(timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    @Test func queriedHighWatermarkFollowsNewRecordsOfAPausedPartition() async throws {
        let broker = try await MockBroker(topics: ["events": 2])
        defer { broker.requestStop() }
        try await ConsumerTestProducer.produce(Self.records(partition: 0, count: 20), bootstrapServers: broker.bootstrapServers)
        let paused = TopicPartition(topic: "events", partition: 0)
        let flowing = TopicPartition(topic: "events", partition: 1)
        // Pause partition 0 from inside its first batch, as the pipeline does for a retry or a halt.
        let delegate = ConsumerTestDelegate(storesEachBatch: true) { consumer, records in
            if records.contains(where: { $0.topicPartition == paused }) { consumer.pause([paused]) }
        }
        let consumer = try KafkaConsumer(
            configuration: Self.configuration(broker), options: .init(topics: ["events"]), delegate: delegate, logger: Self.logger)
        let run = Task { try? await consumer.run() }
        #expect(await delegate.wait { $0.batches >= 1 })
        #expect(await Self.eventually { consumer.pausedPartitions == [paused] })

        // Produced while the partition is paused: only a query sees these.
        try await ConsumerTestProducer.produce(Self.records(partition: 0, count: 30, from: 20), bootstrapServers: broker.bootstrapServers)
        try await ConsumerTestProducer.produce(Self.records(partition: 1, count: 7), bootstrapServers: broker.bootstrapServers)
        var answer: [TopicPartition: PartitionOffsets] = [:]
        #expect(try await Self.eventually {
            answer = try await consumer.partitionOffsets(of: [paused, flowing], lowWatermarksOf: [flowing], timeout: .seconds(10))
            return answer[paused]?.highWatermark == 50 && answer[flowing]?.committed == 7
        }, "answer: \(answer)")
        #expect(answer[flowing]?.highWatermark == 7)
        #expect(answer[flowing]?.lowWatermark == 0)
        #expect(answer[paused]?.lowWatermark == nil, "low watermarks only where asked for")
        // The first batch was stored and committed: the committed offset is known, and behind the watermark.
        #expect((answer[paused]?.committed ?? -1) >= 1)
        #expect((answer[paused]?.committed ?? 99) <= 20)

        consumer.close()
        _ = await run.value
        await #expect(throws: KafkaError.self) { try await consumer.partitionOffsets(of: [paused], timeout: .seconds(1)) }
    }

    @Test func observationsTellMembershipHeartbeatRebalancesAndStatistics() async throws {
        let broker = try await MockBroker(topics: ["events": 3])
        defer { broker.requestStop() }
        let delegate = ConsumerTestDelegate(storesEachBatch: true)
        let consumer = try KafkaConsumer(
            configuration: Self.configuration(broker), options: .init(topics: ["events"]), delegate: delegate, logger: Self.logger)
        #expect(consumer.observations.lastPoll == nil, "no poll before run()")
        let run = Task { try? await consumer.run() }
        #expect(await delegate.wait { !$0.assigned.isEmpty })
        let observations = consumer.observations
        #expect(observations.rebalances(.assigned) == 1)
        #expect(observations.rebalances(.revoked) == 0)
        #expect(observations.rebalances(.lost) == 0)
        #expect(observations.fatalError == nil)
        let lastPoll = try #require(observations.lastPoll)
        #expect(ContinuousClock.now - lastPoll < .seconds(30))
        // statistics.interval.ms defaults to 1 s on the consumer.
        #expect(await Self.eventually { observations.statistics?.json.contains("\"cgrp\"") == true })
        let member = await consumer.memberID()
        #expect(member?.isEmpty == false, "member id: \(member ?? "nil")")

        consumer.close()
        _ = await run.value
        #expect(observations.rebalances(.revoked) == 1, "close revokes the assignment")
        #expect(await consumer.memberID() == nil, "no native calls after close")
    }

    @Test func failedCommitsAreCounted() async throws {
        let broker = try await MockBroker(topics: ["events": 1])
        defer { broker.requestStop() }
        try await ConsumerTestProducer.produce(Self.records(partition: 0, count: 10), bootstrapServers: broker.bootstrapServers)
        let delegate = ConsumerTestDelegate(storesEachBatch: true)
        let consumer = try KafkaConsumer(
            configuration: Self.configuration(broker), options: .init(topics: ["events"]), delegate: delegate, logger: Self.logger)
        // OffsetCommit (API key 8) answers INVALID_COMMIT_OFFSET_SIZE (28), which nobody retries.
        try await broker.pushRequestErrors(apiKey: 8, errorCodes: [28, 28, 28])
        let run = Task { try? await consumer.run() }
        #expect(await delegate.wait { $0.records.count >= 10 })
        #expect(await Self.eventually { consumer.observations.commitFailures >= 1 })
        #expect(consumer.observations.lastError?.message.contains("commit") == true)
        consumer.close()
        _ = await run.value
    }
}
