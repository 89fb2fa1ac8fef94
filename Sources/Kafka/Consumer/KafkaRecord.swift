/// A message consumed from Kafka, copied out of librdkafka so that it outlives the native message.
///
/// The native `rd_kafka_message_t` is destroyed by the consumer right after this copy is made; nothing
/// here points into librdkafka memory. The partition, key and value live in storage shared with the
/// neighbouring records of the same partition and poll (see `RecordBytes`): read the value in place with
/// ``withUnsafeValue(_:)``; ``key`` and ``value`` return copies. Setting any of the three gives the
/// record storage of its own.
public struct KafkaRecord: Sendable {
    private var bytes: RecordBytes
    public var topicPartition: TopicPartition {
        get { bytes.topicPartition }
        set { bytes = RecordBytes(topicPartition: newValue, key: bytes.key, value: bytes.value) }
    }
    public var offset: Int64
    /// A copy of the key bytes, `nil` when the message has no key.
    public var key: [UInt8]? {
        get { bytes.key }
        set { bytes = RecordBytes(topicPartition: bytes.topicPartition, key: newValue, value: bytes.value) }
    }
    /// A copy of the value bytes, `nil` for a tombstone (a message with a null value). Never crash on `nil`.
    public var value: [UInt8]? {
        get { bytes.value }
        set { bytes = RecordBytes(topicPartition: bytes.topicPartition, key: bytes.key, value: newValue) }
    }
    /// The value's size in bytes, `nil` for a tombstone.
    public var valueCount: Int? { bytes.valueCountOrNil }
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
        self.init(
            offset: offset, bytes: RecordBytes(topicPartition: topicPartition, key: key, value: value),
            timestampMilliseconds: timestampMilliseconds, headers: headers)
    }

    init(offset: Int64, bytes: RecordBytes, timestampMilliseconds: Int64?, headers: [KafkaHeader]) {
        self.offset = offset
        self.bytes = bytes
        self.timestampMilliseconds = timestampMilliseconds
        self.headers = headers
    }

    /// The end (exclusive) of the run of consecutive records of `records[start]`'s partition.
    ///
    /// Records copied out of librdkafka together share their storage, so a run is found by comparing
    /// storage identity; the topic name is compared (and reference counted) only where the storage
    /// changes. Here rather than in the caller's module because, called across modules, every comparison
    /// copied both records (retaining and releasing their storage): ~1% of the service's CPU time.
    package static func endOfPartitionRun(in records: UnsafeBufferPointer<KafkaRecord>, startingAt start: Int) -> Int {
        precondition(records.indices.contains(start), "start \(start) is outside the records")
        var end = start + 1
        while end < records.count {
            if !records[end].bytes.sharesArena(with: records[start].bytes) {
                guard records[end].topicPartition == records[start].topicPartition else { break }
            }
            end += 1
        }
        return end
    }

    /// How many zero bytes follow the value in memory for ``withUnsafePaddedValue(_:)``.
    public static let valuePadding = RecordBytes.valuePadding

    /// Calls `body` with the value bytes in place (no copy), followed in memory by ``valuePadding`` zero
    /// bytes, or with `nil` for a tombstone, and with the object that keeps those bytes alive: the pointer
    /// stays valid for as long as that object is held (it is shared by the records copied out of
    /// librdkafka together, so holding it keeps their memory too). For parsers that read past the end of
    /// their input and would otherwise copy the value into a padded buffer.
    public func withUnsafePaddedValue<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer?, AnyObject) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try bytes.withUnsafePaddedValue(body)
    }

    /// Calls `body` with the value bytes in place (no copy), or `nil` for a tombstone. The pointer is valid
    /// only during the call.
    public func withUnsafeValue<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer?) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try bytes.withUnsafeValue(body)
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
