/// The mutable state of one assigned partition, always accessed under `AssignedPartition`'s lock: the
/// meeting point of the poll thread (which hands records over, revokes, stops) and the processing task.
///
/// Transitions return what the consumer must be asked to do (pause/resume). `AssignedPartition` issues
/// those requests, and offset stores, *while still holding the lock*: requests are only queued by the
/// consumer (cheap, non-blocking), and doing it under the lock guarantees that nothing is requested for
/// this partition after `revoke()` returned — the consumer applies every queued request before it gives
/// a partition up. Lock order is always partition lock → consumer lock (and → `FlowControl`'s lock);
/// the consumer never calls the pipeline while holding its own lock, so this cannot deadlock.
struct PartitionState {
    enum Lifecycle {
        /// Taking and processing records.
        case running
        /// Shutting down: finish the event in flight, take nothing more. Finished work is still stored.
        case stopping
        /// The partition was revoked or lost: results are dropped, nothing more is stored.
        case revoked
    }

    var lifecycle = Lifecycle.running
    var inbox = RecordInbox()
    /// Records delivered to this partition and not yet settled (inbox plus the batch in progress).
    var buffered = 0
    /// Records delivered to this partition since it was assigned (for metrics), and the first one's
    /// offset: where processing started, the next offset to process until something finished.
    var consumed = 0
    var firstOffset: Int64?
    var flow = FlowShare()
    var pauses = PartitionPauses()
    /// What the first `revoke()` returned, returned again by later ones (see `AssignedPartition.revoke`).
    var positionAtRevoke: Int64?
    /// The processing task sleeps before a retry; `stop()` interrupts such a wait (never a running
    /// processor).
    var isWaitingOnBackoff = false

    mutating func addPause(_ reason: PauseReason) -> PartitionPauses.FetchChange {
        pauses.add(reason, mayRequest: lifecycle != .revoked)
    }

    mutating func removePause(_ reason: PauseReason) -> PartitionPauses.FetchChange {
        pauses.remove(reason, mayResume: lifecycle == .running)
    }

    /// How many records this partition should count in `FlowControl` now.
    var recordsOwedToFlow: Int {
        !pauses.isPaused && lifecycle == .running ? buffered : 0
    }
}
