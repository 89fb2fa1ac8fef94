/// One partition's share of the pipeline-wide `FlowControl` count: how many of its buffered records are
/// counted there now. All of them while the partition flows, none while it is paused or stopped —
/// a paused partition's records cannot be worked off by polling less, so they must not hold the
/// poll thread back for the others. Part of `PartitionState`, under its lock.
struct FlowShare {
    /// Records of this partition counted in `FlowControl`.
    private(set) var counted = 0

    /// Brings the count in `flow` to `owed` (called with the partition lock held; lock order: partition
    /// lock → `FlowControl`'s lock).
    mutating func settle(owed: Int, in flow: FlowControl) {
        flow.adjust(by: owed - counted)
        counted = owed
    }
}
