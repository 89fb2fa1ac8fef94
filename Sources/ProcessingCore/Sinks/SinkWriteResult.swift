/// What one ``EventSink/write(_:)`` did with a batch.
public struct SinkWriteResult: Sendable, Equatable {
    /// Events stored by this write.
    public var stored: Int
    /// Events that were already in the store (redeliveries after a crash or rebalance, producer-side
    /// duplicates, or the same `event_id` twice in the batch) and were not stored again.
    public var duplicates: Int

    public init(stored: Int, duplicates: Int) {
        self.stored = stored
        self.duplicates = duplicates
    }

    public static let zero = SinkWriteResult(stored: 0, duplicates: 0)

    public static func + (lhs: SinkWriteResult, rhs: SinkWriteResult) -> SinkWriteResult {
        SinkWriteResult(stored: lhs.stored + rhs.stored, duplicates: lhs.duplicates + rhs.duplicates)
    }
}
