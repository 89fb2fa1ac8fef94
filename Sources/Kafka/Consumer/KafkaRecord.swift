/// A message consumed from Kafka, copied out of librdkafka so that it outlives the native message.
///
/// The native `rd_kafka_message_t` is destroyed by the consumer right after this copy is made; nothing
/// here points into librdkafka memory.
public struct KafkaRecord: Sendable {
    public var topicPartition: TopicPartition
    public var offset: Int64
    /// The key bytes, `nil` when the message has no key.
    public var key: [UInt8]?
    /// The value bytes, `nil` for a tombstone (a message with a null value). Never crash on `nil`.
    public var value: [UInt8]?
    /// Milliseconds since the epoch, as set by the producer or the broker; `nil` when not available.
    public var timestampMilliseconds: Int64?
    /// Headers in their original order; a header value may be `nil`.
    public var headers: [KafkaHeader]

    public init(
        topicPartition: TopicPartition,
        offset: Int64,
        key: [UInt8]?,
        value: [UInt8]?,
        timestampMilliseconds: Int64?,
        headers: [KafkaHeader] = []
    ) {
        self.topicPartition = topicPartition
        self.offset = offset
        self.key = key
        self.value = value
        self.timestampMilliseconds = timestampMilliseconds
        self.headers = headers
    }
}

/// A Kafka record header.
public struct KafkaHeader: Sendable, Equatable {
    public var name: String
    public var value: [UInt8]?

    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }
}
