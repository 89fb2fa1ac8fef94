/// The offsets a partition's leader reports: `low` is the first offset still stored (older data was
/// deleted or, on the mock cluster, trimmed), `high` the offset the next produced record gets. A consumer
/// that has read everything has its position at `high`; `high - committed` is its lag.
public struct PartitionWatermarks: Hashable, Sendable, CustomStringConvertible {
    public var low: Int64
    public var high: Int64

    public init(low: Int64, high: Int64) {
        self.low = low
        self.high = high
    }

    public var description: String { "\(low)..<\(high)" }
}
