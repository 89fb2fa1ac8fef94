/// Where a partition stands, as the brokers see it: the group's committed offset and the log's watermarks.
/// The answer of `KafkaConsumer.partitionOffsets(of:lowWatermarksOf:timeout:)`, where each field is `nil`
/// when its request failed for this partition (the other partitions keep their answers).
public struct PartitionOffsets: Sendable, Equatable {
    /// The group's committed offset (the next offset to read), `nil` when the group has none.
    public var committed: Int64?
    /// The log end offset (the offset the next produced record gets; the last stable offset with
    /// `isolation.level=read_committed`), `nil` when the broker did not say.
    public var highWatermark: Int64?
    /// The earliest offset still in the log; queried only where asked for.
    public var lowWatermark: Int64?

    public init(committed: Int64?, highWatermark: Int64?, lowWatermark: Int64? = nil) {
        self.committed = committed
        self.highWatermark = highWatermark
        self.lowWatermark = lowWatermark
    }
}
