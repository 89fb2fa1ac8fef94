/// Why one partition's fetching is paused, and when the consumer must be asked to pause or resume it.
///
/// A partition is paused while at least one `PauseReason` holds and resumed when the last one clears,
/// so that, e.g., a retry finishing does not resume a partition still over its buffer limit. Only the
/// first reason asks for a pause and only the last one's removal asks for a resume: the consumer sees
/// one request per change of state, not one per reason. Part of `PartitionState`, under its lock.
struct PartitionPauses {
    /// What to ask of the consumer after a change.
    enum FetchChange: Equatable { case none, pause, resume }

    private(set) var reasons: Set<PauseReason> = []

    /// Whether fetching is paused now.
    var isPaused: Bool { !reasons.isEmpty }

    /// Adds `reason`. `mayRequest`: false once the partition is revoked (nothing may be requested then).
    mutating func add(_ reason: PauseReason, mayRequest: Bool) -> FetchChange {
        let wasEmpty = reasons.isEmpty
        reasons.insert(reason)
        return wasEmpty && mayRequest ? .pause : .none
    }

    /// Removes `reason`. `mayResume`: false unless the partition is running (a stopping partition stays
    /// paused: it takes nothing more).
    mutating func remove(_ reason: PauseReason, mayResume: Bool) -> FetchChange {
        guard reasons.remove(reason) != nil else { return .none }
        return reasons.isEmpty && mayResume ? .resume : .none
    }
}
