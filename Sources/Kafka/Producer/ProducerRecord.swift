/// A message to publish.
public struct ProducerRecord: Sendable, Equatable {
    public var topic: String
    /// The partition to write to; `nil` lets the configured partitioner choose (by key hash when there is
    /// a key, as Kafka's default partitioner does).
    public var partition: Int32?
    /// The key bytes, `nil` for no key.
    public var key: [UInt8]?
    /// The value bytes, `nil` for a tombstone (null value). An empty array is an empty, non-null value.
    public var value: [UInt8]?
    /// Headers, kept in order; a header value may be `nil`.
    public var headers: [KafkaHeader]

    public init(
        topic: String,
        partition: Int32? = nil,
        key: [UInt8]? = nil,
        value: [UInt8]?,
        headers: [KafkaHeader] = []
    ) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
    }
}
