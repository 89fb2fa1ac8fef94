import CRdKafka
import Kafka

/// Reads back what a test produced, with plain librdkafka C calls (no consumer group, no wrapper), so that
/// producer tests do not depend on the consumer under test elsewhere.
enum ProducerRoundTripReader {
    /// Reads `count` records of `partition` from its first offset.
    static func read(
        bootstrapServers: String, topic: String, partition: Int32, count: Int, timeoutMilliseconds: Int32 = 30_000
    ) throws -> [KafkaRecord] {
        let conf = rd_kafka_conf_new()
        var errors = [CChar](repeating: 0, count: 512)
        for (name, value) in ["bootstrap.servers": bootstrapServers, "group.id": "round-trip-reader", "log_level": "3"] {
            guard rd_kafka_conf_set(conf, name, value, &errors, errors.count) == RD_KAFKA_CONF_OK else {
                throw KafkaError(kind: .configuration, message: name)
            }
        }
        guard let consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, &errors, errors.count) else {
            throw KafkaError(kind: .other, message: "rd_kafka_new failed")
        }
        defer {
            rd_kafka_consumer_close(consumer)
            rd_kafka_destroy(consumer)
        }
        let assignment = rd_kafka_topic_partition_list_new(1)
        defer { rd_kafka_topic_partition_list_destroy(assignment) }
        rd_kafka_topic_partition_list_add(assignment, topic, partition).pointee.offset = -2  // BEGINNING
        let assigned = rd_kafka_assign(consumer, assignment)
        guard assigned == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(code: assigned, context: "assign") }

        var records: [KafkaRecord] = []
        let deadline = ContinuousClock.now.advanced(by: .milliseconds(Int(timeoutMilliseconds)))
        while records.count < count, ContinuousClock.now < deadline {
            guard let message = rd_kafka_consumer_poll(consumer, 100) else { continue }
            defer { rd_kafka_message_destroy(message) }
            let native = message.pointee
            if native.err == RD_KAFKA_RESP_ERR__PARTITION_EOF { continue }
            guard native.err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(code: native.err, context: "consume") }
            records.append(KafkaRecord(
                topicPartition: TopicPartition(topic: topic, partition: native.partition),
                offset: native.offset,
                key: bytes(native.key, native.key_len),
                value: bytes(native.payload, native.len),
                timestampMilliseconds: nil,
                headers: try headers(of: message)
            ))
        }
        return records
    }

    private static func bytes(_ pointer: UnsafeMutableRawPointer?, _ count: Int) -> [UInt8]? {
        guard let pointer else { return nil }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    private static func headers(of message: UnsafeMutablePointer<rd_kafka_message_t>) throws -> [KafkaHeader] {
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
