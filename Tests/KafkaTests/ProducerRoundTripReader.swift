import CRdKafka

@testable import Kafka

/// Reads back what a test produced, with plain librdkafka C calls (no consumer group, no wrapper), so that
/// producer tests do not depend on the consumer under test elsewhere, and record-arena tests get real
/// native messages. The blocking polls run on a dedicated thread; the calling test only suspends.
enum ProducerRoundTripReader {
    /// Native messages, owned by the reader: valid only inside the closure they are passed to.
    struct NativeMessages: @unchecked Sendable {
        let pointers: [UnsafeMutablePointer<rd_kafka_message_t>]
    }

    /// Reads `count` records of `partition` from its first offset.
    static func read(
        bootstrapServers: String, topic: String, partition: Int32, count: Int, timeout: Duration = .seconds(30)
    ) async throws -> [KafkaRecord] {
        try await withMessages(bootstrapServers: bootstrapServers, topic: topic, partitions: [partition], count: count, timeout: timeout) { (messages) throws(KafkaError) -> [KafkaRecord] in
            var records: [KafkaRecord] = []
            for message in messages.pointers { records.append(try record(of: message)) }
            return records
        }
    }

    /// Polls `count` messages from the start of `partitions` (in poll order) and passes them to `body` on
    /// the polling thread; destroys them after `body` returned.
    /// - Throws: a consume error, or `.timedOut` when fewer than `count` arrived within `timeout` (a hang bound).
    static func withMessages<Result: Sendable>(
        bootstrapServers: String, topic: String, partitions: [Int32], count: Int, timeout: Duration = .seconds(30),
        _ body: @escaping @Sendable (NativeMessages) throws(KafkaError) -> Result
    ) async throws(KafkaError) -> Result {
        let configuration = KafkaConfiguration(["bootstrap.servers": bootstrapServers, "group.id": "round-trip-reader", "log_level": "3"])
        return try await DedicatedThread.run(name: "round-trip") { () -> Swift.Result<Result, KafkaError> in
            Swift.Result { () throws(KafkaError) -> Result in
                let consumer = try makeNativeClient(RD_KAFKA_CONSUMER, conf: try configuration.makeNativeConfiguration(), purpose: "round-trip reader")
                defer {
                    rd_kafka_consumer_close(consumer)
                    rd_kafka_destroy(consumer)
                }
                let assigned = NativeTopicPartitionList.withList(
                    partitions.map { TopicPartitionOffset(TopicPartition(topic: topic, partition: $0), offset: -2) }  // BEGINNING
                ) { rd_kafka_assign(consumer, $0) }
                guard assigned == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(code: assigned, context: "assign") }
                var messages: [UnsafeMutablePointer<rd_kafka_message_t>] = []
                defer { messages.forEach { rd_kafka_message_destroy($0) } }
                let deadline = ContinuousClock.now + timeout
                while messages.count < count {
                    guard ContinuousClock.now < deadline else {
                        throw KafkaError(kind: .timedOut, message: "read \(messages.count) of \(count) records of \(topic)")
                    }
                    guard let message = rd_kafka_consumer_poll(consumer, 100) else { continue }
                    let err = message.pointee.err
                    guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                        rd_kafka_message_destroy(message)
                        if err == RD_KAFKA_RESP_ERR__PARTITION_EOF { continue }
                        throw KafkaError(code: err, context: "consume")
                    }
                    messages.append(message)
                }
                return try body(NativeMessages(pointers: messages))
            }
        }.get()
    }

    private static func record(of message: UnsafeMutablePointer<rd_kafka_message_t>) throws(KafkaError) -> KafkaRecord {
        let native = message.pointee
        return KafkaRecord(
            topicPartition: TopicPartition(topic: String(cString: rd_kafka_topic_name(native.rkt)), partition: native.partition),
            offset: native.offset,
            key: bytes(native.key, native.key_len),
            value: bytes(native.payload, native.len),
            timestampMilliseconds: nil,
            headers: try headers(of: message)
        )
    }

    private static func bytes(_ pointer: UnsafeMutableRawPointer?, _ count: Int) -> [UInt8]? {
        guard let pointer else { return nil }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    private static func headers(of message: UnsafeMutablePointer<rd_kafka_message_t>) throws(KafkaError) -> [KafkaHeader] {
        var native: OpaquePointer?
        let result = rd_kafka_message_headers(message, &native)
        if result == RD_KAFKA_RESP_ERR__NOENT { return [] }
        guard result == RD_KAFKA_RESP_ERR_NO_ERROR, let native else { throw KafkaError(code: result, context: "headers") }
        var headers: [KafkaHeader] = []
        var index = 0
        while true {
            var name: UnsafePointer<CChar>?
            var value: UnsafeRawPointer?
            var size = 0
            guard rd_kafka_header_get_all(native, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR, let name else { break }
            headers.append(KafkaHeader(
                name: String(cString: name),
                value: value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }
            ))
            index += 1
        }
        return headers
    }
}
