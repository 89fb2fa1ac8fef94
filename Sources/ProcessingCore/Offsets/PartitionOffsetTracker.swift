/// Tracks, for one partition, which offset may be stored for commit.
///
/// Events of a partition finish strictly in offset order (the pipeline processes a partition
/// sequentially), so the committable position is simply "last finished offset + 1". Offsets can have
/// gaps (compacted topics, transaction markers): only finished offsets move the position, so a gap
/// never commits work that was not done.
///
/// Stores are batched: `markFinished` is cheap and called per event; `takeStore` returns a new
/// position only when it moved since the last store, so the consumer sees one store per partition per
/// batch rather than one per event.
public struct PartitionOffsetTracker: Sendable, Equatable {
    /// The next offset to read after all finished work (what Kafka commits), `nil` before any event finished.
    public private(set) var committable: Int64?
    /// The position last handed out by `takeStore`.
    public private(set) var lastStored: Int64?

    public init() {}

    /// Records that the event at `offset` is finished (processed, or given up and dead-lettered).
    /// - Precondition-free: an offset at or behind the current position (a redelivery) changes nothing.
    public mutating func markFinished(offset: Int64) {
        let next = offset + 1
        if let current = committable, current >= next { return }
        committable = next
    }

    /// The position to store now, or `nil` when nothing finished since the last store.
    public mutating func takeStore() -> Int64? {
        guard let next = committable, next != lastStored else { return nil }
        lastStored = next
        return next
    }
}
