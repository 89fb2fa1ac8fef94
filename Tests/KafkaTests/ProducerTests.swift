import CRdKafka
import Kafka
import Logging
import Testing
import TestSupport

@Suite("KafkaProducer against the mock cluster")
struct ProducerTests {
    private let logger = Logger(label: "producer-tests")

    private func producer(_ broker: MockBroker, _ extra: [String: String] = [:]) throws -> KafkaProducer {
        var properties = ["bootstrap.servers": broker.bootstrapServers, "linger.ms": "5"]
        properties.merge(extra) { $1 }
        return try KafkaProducer(configuration: KafkaConfiguration(properties), logger: logger)
    }

    @Test("send returns the offset after delivery; offsets increase per partition")
    func sendReturnsIncreasingOffsets() async throws {
        let broker = try await MockBroker(topics: ["orders": 2])
        let producer = try producer(broker, ["enable.idempotence": "true", "acks": "all"])
        var offsets: [Int32: [Int64]] = [:]
        for index in 0..<7 {
            let partition = Int32(index % 2)
            let delivered = try await producer.send(ProducerRecord(topic: "orders", partition: partition, key: [UInt8(index)], value: Array("event \(index)".utf8)))
            #expect(delivered.topicPartition == TopicPartition(topic: "orders", partition: partition))
            offsets[partition, default: []].append(delivered.offset)
        }
        #expect(offsets[0] == [0, 1, 2, 3])
        #expect(offsets[1] == [0, 1, 2])
        #expect(producer.deliveredCount == 7)
        #expect(producer.failedDeliveryCount == 0)
        await producer.close()
    }

    @Test("a topic created through the control protocol accepts messages; the partitioner picks a partition")
    func produceToCreatedTopic() async throws {
        let broker = try await MockBroker()
        try await broker.createTopic("late-topic", partitions: 3)
        let producer = try producer(broker)
        let delivered = try await producer.send(ProducerRecord(topic: "late-topic", key: Array("user-1".utf8), value: Array("{}".utf8)))
        #expect(delivered.topicPartition.topic == "late-topic")
        #expect((0..<3).contains(delivered.topicPartition.partition))
        #expect(delivered.offset == 0)
        // Same key, same partition (the partitioner hashes the key).
        let again = try await producer.send(ProducerRecord(topic: "late-topic", key: Array("user-1".utf8), value: Array("{}".utf8)))
        #expect(again.topicPartition == delivered.topicPartition)
        #expect(again.offset == 1)
        await producer.close()
    }

    @Test("headers, null and empty keys and values, and tombstones round-trip")
    func recordsRoundTrip() async throws {
        let broker = try await MockBroker(topics: ["round-trip": 1])
        let producer = try producer(broker)
        let sent = [
            ProducerRecord(topic: "round-trip", partition: 0, key: Array("k".utf8), value: Array("v".utf8), headers: [
                KafkaHeader(name: "trace-id", value: Array("abc".utf8)),
                KafkaHeader(name: "null-header", value: nil),
                KafkaHeader(name: "empty-header", value: []),
                KafkaHeader(name: "trace-id", value: Array("second".utf8)),
            ]),
            ProducerRecord(topic: "round-trip", partition: 0, key: Array("deleted-user".utf8), value: nil),
            ProducerRecord(topic: "round-trip", partition: 0, key: nil, value: []),
            ProducerRecord(topic: "round-trip", partition: 0, key: [], value: [0, 255, 10]),
        ]
        for record in sent { _ = try await producer.send(record) }
        await producer.close()

        let received = try await ProducerRoundTripReader.read(bootstrapServers: broker.bootstrapServers, topic: "round-trip", partition: 0, count: sent.count)
        try #require(received.count == sent.count)
        for (record, original) in zip(received, sent) {
            #expect(record.key == original.key)
            #expect(record.value == original.value)
            #expect(record.headers == original.headers)
        }
        #expect(received.map(\.offset) == [0, 1, 2, 3])
    }

    @Test("produce hands over many messages; flush waits until every one is delivered")
    func produceAndFlush() async throws {
        let broker = try await MockBroker(topics: ["bulk": 4])
        let producer = try producer(broker, ["linger.ms": "1000", "queue.buffering.max.messages": "1000"])
        // More messages than the queue holds: produce must wait for room instead of failing.
        for index in 0..<5_000 {
            try producer.produce(ProducerRecord(topic: "bulk", key: Array("user-\(index % 97)".utf8), value: Array(repeating: 42, count: 100)))
        }
        // linger.ms=1000 would hold the last batch back; flush sends it at once.
        try await producer.flush(timeout: .seconds(60))
        #expect(producer.deliveredCount == 5_000)
        #expect(producer.failedDeliveryCount == 0)
        await producer.close()
    }

    @Test("a message to a broker that stays down fails after message.timeout.ms")
    func brokerDownTimesOut() async throws {
        let broker = try await MockBroker(topics: ["unreachable": 1])
        let producer = try producer(broker, ["message.timeout.ms": "1500"])
        _ = try await producer.send(ProducerRecord(topic: "unreachable", value: Array("first".utf8)))
        try await broker.setBrokerDown(1)
        let error = await #expect(throws: KafkaError.self) {
            try await producer.send(ProducerRecord(topic: "unreachable", value: Array("lost".utf8)))
        }
        #expect(error?.code == RD_KAFKA_RESP_ERR__MSG_TIMED_OUT.rawValue)
        #expect(producer.failedDeliveryCount == 1)
        await producer.close()
    }

    @Test("a message sent while the broker is down is delivered once it comes back")
    func brokerDownThenUpDelivers() async throws {
        let broker = try await MockBroker(topics: ["flaky": 1])
        let producer = try producer(broker, ["message.timeout.ms": "60000", "reconnect.backoff.max.ms": "200"])
        _ = try await producer.send(ProducerRecord(topic: "flaky", value: Array("first".utf8)))
        try await broker.setBrokerDown(1)
        async let delivery = producer.send(ProducerRecord(topic: "flaky", value: Array("second".utf8)))
        try await Self.waitUntilUndelivered(producer)
        try await broker.setBrokerUp(1)
        let delivered = try await delivery
        #expect(delivered.offset == 1)
        await producer.close()
    }

    @Test("close fails what cannot be delivered instead of hanging, and the producer refuses work afterwards")
    func closeWithOutstandingMessages() async throws {
        let broker = try await MockBroker(topics: ["closing": 1])
        let producer = try producer(broker, ["message.timeout.ms": "300000"])
        _ = try await producer.send(ProducerRecord(topic: "closing", value: Array("first".utf8)))
        try await broker.setBrokerDown(1)
        let pending = Task { try await producer.send(ProducerRecord(topic: "closing", value: Array("stuck".utf8))) }
        try await Self.waitUntilUndelivered(producer)
        await producer.close(flushTimeout: .milliseconds(500))
        let error = await #expect(throws: KafkaError.self) { try await pending.value }
        #expect(error.map { [RD_KAFKA_RESP_ERR__PURGE_QUEUE.rawValue, RD_KAFKA_RESP_ERR__PURGE_INFLIGHT.rawValue].contains($0.code) } == true)

        await producer.close()
        let closed = await #expect(throws: KafkaError.self) {
            try await producer.send(ProducerRecord(topic: "closing", value: []))
        }
        #expect(closed?.kind == .closed)
        #expect(throws: KafkaError.self) { try producer.produce(ProducerRecord(topic: "closing", value: [])) }
        await #expect(throws: KafkaError.self) { try await producer.flush(timeout: .seconds(1)) }
    }

    /// Waits until a message is in librdkafka's queue and not delivered: the signal that a concurrent
    /// `send` has handed its record over (rather than a sleep that a slow machine could outrun). A flush
    /// that times out says so; one that succeeds means nothing is outstanding yet.
    static func waitUntilUndelivered(_ producer: KafkaProducer) async throws {
        let deadline = ContinuousClock.now + .seconds(60)  // a hang bound
        while ContinuousClock.now < deadline {
            do {
                try await producer.flush(timeout: .milliseconds(100))
            } catch where error.kind == .timedOut {
                return
            }
            try await Task.sleep(for: .milliseconds(10))  // nothing outstanding yet: look again
        }
        Issue.record("no message became outstanding within 60 s")
    }

    @Test("an invalid property is rejected before anything connects")
    func invalidConfiguration() {
        let error = #expect(throws: KafkaError.self) {
            try KafkaProducer(configuration: KafkaConfiguration(["no.such.property": "1"]), logger: logger)
        }
        #expect(error?.kind == .configuration)
    }
}
