import CRdKafka
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Copies native messages into `KafkaRecord`s on the poll thread, cheaply: the key and value bytes are
/// the only per-message allocations (plus headers when a message has any). Topic names are resolved
/// through a per-topic-handle cache instead of building a `String` per message.
///
/// Confined to the poll thread (owned by `ConsumerPollLoop`).
struct NativeRecordReader {
    /// Topic handle (`rd_kafka_topic_t *`) -> its name, both as a Swift string for records and as C bytes
    /// to verify the entry: librdkafka could reuse an address for another topic after destroying a handle.
    private var topicNames: [OpaquePointer: (name: String, cName: ContiguousArray<CChar>)] = [:]
    private var lastTopic: (handle: OpaquePointer, name: String, cName: ContiguousArray<CChar>)?

    /// Copies one message that has no error. The native message stays owned by the caller.
    mutating func record(from message: UnsafeMutablePointer<rd_kafka_message_t>) -> KafkaRecord {
        let native = message.pointee
        let topic = topicName(of: native.rkt)
        let key: [UInt8]? = native.key.map {
            [UInt8](UnsafeRawBufferPointer(start: $0, count: native.key_len))
        }
        // A NULL payload is a tombstone (null value): `nil`, never a crash.
        let value: [UInt8]? = native.payload.map {
            [UInt8](UnsafeRawBufferPointer(start: $0, count: native.len))
        }
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &timestampType)
        return KafkaRecord(
            topicPartition: TopicPartition(topic: topic, partition: native.partition),
            offset: native.offset,
            key: key,
            value: value,
            timestampMilliseconds: timestampType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE || timestamp < 0 ? nil : timestamp,
            headers: Self.headers(of: message)
        )
    }

    /// The headers of a message, in order; empty (and no allocation) when it has none.
    private static func headers(of message: UnsafeMutablePointer<rd_kafka_message_t>) -> [KafkaHeader] {
        var nativeHeaders: OpaquePointer?
        guard rd_kafka_message_headers(message, &nativeHeaders) == RD_KAFKA_RESP_ERR_NO_ERROR,
            let nativeHeaders
        else { return [] }
        var headers: [KafkaHeader] = []
        var index = 0
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        while rd_kafka_header_get_all(nativeHeaders, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
            headers.append(KafkaHeader(
                name: name.map { String(cString: $0) } ?? "",
                value: value.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: size)) }
            ))
            index += 1
        }
        return headers
    }

    private mutating func topicName(of topicHandle: OpaquePointer?) -> String {
        guard let topicHandle, let cName = rd_kafka_topic_name(topicHandle) else { return "" }
        // Consecutive messages mostly share a topic: check the last one before hashing.
        if let last = lastTopic, last.handle == topicHandle, Self.matches(last.cName, cName) {
            return last.name
        }
        if let cached = topicNames[topicHandle], Self.matches(cached.cName, cName) {
            lastTopic = (topicHandle, cached.name, cached.cName)
            return cached.name
        }
        let name = String(cString: cName)
        topicNames[topicHandle] = (name, name.utf8CString)
        lastTopic = (topicHandle, name, name.utf8CString)
        return name
    }

    private static func matches(_ cached: ContiguousArray<CChar>, _ cName: UnsafePointer<CChar>) -> Bool {
        cached.withUnsafeBufferPointer { strcmp($0.baseAddress!, cName) == 0 }
    }
}
