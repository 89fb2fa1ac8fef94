import Kafka
import Logging
import Testing
import TestSupport

/// The offset queries of the `Kafka` API: `KafkaOffsetClient` (a handle of its own that never joins a
/// group) and `KafkaConsumer`'s queries on its own handle (watermarks of paused partitions, committed
/// offsets, positions), against the mock cluster; and their one difference: the strict calls throw for a
/// partition that failed, the observers' `partitionOffsets` keeps the partitions that answered.
@Suite("offset queries: KafkaOffsetClient and the consumer's own handle")
struct OffsetQueryTests {
    static let logger: Logger = {
        var logger = Logger(label: "offset-query-tests")
        logger.logLevel = .warning
        return logger
    }()

    static func produce(_ counts: [Int32: Int], topic: String, broker: MockBroker) async throws {
        let records = counts.flatMap { partition, count in
            (0..<count).map { ProducerRecord(topic: topic, partition: partition, key: nil, value: Array("\($0)".utf8)) }
        }
        try await ConsumerTestProducer.produce(records, bootstrapServers: broker.bootstrapServers)
    }

    @Test("the offset client reads partition counts, watermarks and a group's committed offsets, and names failures")
    func offsetClient() async throws {
        let broker = try await MockBroker(topics: ["offsets": 2])
        defer { broker.requestStop() }
        try await Self.produce([0: 5, 1: 2], topic: "offsets", broker: broker)
        let client = try KafkaOffsetClient(configuration: KafkaConfiguration(
            ["bootstrap.servers": broker.bootstrapServers, "group.id": "never-committed", "log_level": "3"]))
        #expect(try await client.partitionCount(of: "offsets") == 2)
        let partitions = TopicPartition.all(of: "offsets", count: 2)
        #expect(try await client.watermarks(of: partitions) == [
            partitions[0]: PartitionWatermarks(low: 0, high: 5), partitions[1]: PartitionWatermarks(low: 0, high: 2),
        ])
        #expect(try await client.committedOffsets(of: partitions).isEmpty, "a group that never committed")
        let unknown = await #expect(throws: KafkaError.self) { try await client.partitionCount(of: "no-such-topic", timeout: .seconds(10)) }
        #expect(unknown?.kind == .unknownTopic)
        let invalid = #expect(throws: KafkaError.self) {
            try KafkaOffsetClient(configuration: KafkaConfiguration(["no.such.property": "1"]))
        }
        #expect(invalid?.kind == .configuration)
    }

    @Test("a consumer reads current watermarks of a partition it paused, its committed offsets and positions; .closed after close")
    func consumerQueries() async throws {
        let broker = try await MockBroker(topics: ["lag": 1])
        defer { broker.requestStop() }
        try await Self.produce([0: 10], topic: "lag", broker: broker)
        let partition = TopicPartition(topic: "lag", partition: 0)
        // Paused from inside the batch that ends with the last record (applied before the next poll).
        let delegate = ConsumerTestDelegate(storesEachBatch: true) { consumer, records in
            if records.last?.offset == 9 { consumer.pause([partition]) }
        }
        let consumer = try KafkaConsumer(
            configuration: KafkaConfiguration([
                "bootstrap.servers": broker.bootstrapServers, "group.id": "lag-\(UInt32.random(in: 0...UInt32.max))",
                "auto.offset.reset": "earliest", "auto.commit.interval.ms": "100", "session.timeout.ms": "6000",
            ]),
            options: .init(topics: ["lag"], maxBatchSize: 100), delegate: delegate, logger: Self.logger)
        let run = Task { try await consumer.run() }
        #expect(await delegate.wait { $0.records.count == 10 })
        // Paused now: librdkafka's cached high watermark of the partition no longer moves, the queried one does.
        try await Self.produce([0: 7], topic: "lag", broker: broker)
        #expect(try await consumer.watermarks(of: [partition], timeout: .seconds(30)) == [partition: PartitionWatermarks(low: 0, high: 17)])
        #expect(try consumer.positions(of: [partition]) == [partition: 10])
        let deadline = ContinuousClock.now + .seconds(60)  // a hang bound: auto-commit runs every 100 ms
        while try await consumer.committedOffsets(of: [partition], timeout: .seconds(30))[partition] != 10, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try await consumer.committedOffsets(of: [partition], timeout: .seconds(30)) == [partition: 10])
        consumer.close()
        try await run.value
        let closed = await #expect(throws: KafkaError.self) { try await consumer.watermarks(of: [partition], timeout: .seconds(5)) }
        #expect(closed?.kind == .closed)
        #expect(throws: KafkaError.self) { try consumer.positions(of: [partition]) }
    }

    @Test("a leaderless partition: the strict calls throw naming it, partitionOffsets keeps the other partition's answers")
    func strictAndLenientPerPartition() async throws {
        let broker = try await MockBroker(topics: ["split": 2])
        defer { broker.requestStop() }
        try await Self.produce([0: 3, 1: 4], topic: "split", broker: broker)
        let partitions = TopicPartition.all(of: "split", count: 2)
        try await broker.send(command: "leader split 1 none")
        let configuration = KafkaConfiguration([
            "bootstrap.servers": broker.bootstrapServers, "group.id": "split-\(UInt32.random(in: 0...UInt32.max))", "log_level": "3",
        ])
        // The requests wait for the missing leader until their timeout: keep it short (it is not a hang bound).
        let timeout = Duration.seconds(2)

        let client = try KafkaOffsetClient(configuration: configuration)
        let strict = await #expect(throws: KafkaError.self) { try await client.watermarks(of: partitions, timeout: timeout) }
        #expect(strict?.message.contains("split[1]") == true, "names the partition: \(strict?.message ?? "")")

        // Never run: a created consumer's handle answers queries without joining the group.
        let consumer = try KafkaConsumer(
            configuration: configuration, options: .init(topics: ["split"]), delegate: ConsumerTestDelegate(), logger: Self.logger)
        let same = await #expect(throws: KafkaError.self) { try await consumer.watermarks(of: partitions, timeout: timeout) }
        #expect(same?.message == strict?.message, "the consumer's watermarks(of:) answers as the client's")
        let lenient = try await consumer.partitionOffsets(of: partitions, lowWatermarksOf: Set(partitions), timeout: timeout)
        #expect(lenient == [
            partitions[0]: PartitionOffsets(committed: nil, highWatermark: 3, lowWatermark: 0),
            partitions[1]: PartitionOffsets(committed: nil, highWatermark: nil, lowWatermark: nil),
        ])
    }
}
