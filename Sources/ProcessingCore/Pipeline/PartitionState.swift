import Kafka

/// The mutable state of one assigned partition, always accessed under `PartitionWorker`'s lock.
///
/// Transitions return what the consumer must be asked to do (pause/resume). The worker issues those
/// requests, and offset stores, *while still holding its lock*: requests are only queued by the consumer
/// (cheap, non-blocking), and doing it under the lock guarantees that nothing is requested for this
/// partition after `revoke()` returned — the consumer applies every queued request before it gives a
/// partition up. Lock order is always worker lock → consumer lock (and → `FlowControl`'s lock); the
/// consumer never calls the pipeline while holding its own lock, so this cannot deadlock.
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
    /// Slices of the consumer's batches, in offset order. Slices share the batch's storage: handing
    /// records over costs no per-record copy or reference counting.
    var inbox: [ArraySlice<KafkaRecord>] = []
    var waiter: CheckedContinuation<[ArraySlice<KafkaRecord>]?, Never>?
    /// Records delivered to this partition and not yet finished (inbox plus the batch in progress).
    var buffered = 0
    /// How many of `buffered` are counted in the pipeline-wide `FlowControl` (all of them while the
    /// partition flows, none while it is paused or stopped).
    var countedInFlow = 0
    var offsets = PartitionOffsetTracker()
    var pauseReasons: Set<PauseReason> = []
    /// The worker sleeps before a retry; `stop()` interrupts such a wait (never a running processor).
    var isWaitingOnBackoff = false

    /// What to ask of the consumer after a change of `pauseReasons`.
    enum FetchChange { case none, pause, resume }

    mutating func addPauseReason(_ reason: PauseReason) -> FetchChange {
        let wasEmpty = pauseReasons.isEmpty
        pauseReasons.insert(reason)
        return wasEmpty && lifecycle != .revoked ? .pause : .none
    }

    mutating func removePauseReason(_ reason: PauseReason) -> FetchChange {
        guard pauseReasons.remove(reason) != nil else { return .none }
        return pauseReasons.isEmpty && lifecycle == .running ? .resume : .none
    }

    /// How many records this partition should count in `FlowControl` now.
    var recordsOwedToFlow: Int {
        pauseReasons.isEmpty && lifecycle == .running ? buffered : 0
    }
}
