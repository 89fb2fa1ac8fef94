import Kafka
import Synchronization

/// One assigned partition as both threads see it: the poll thread hands records over, revokes and
/// stops; the partition's processing task takes records, settles what it finished, pauses and waits.
/// Every request this partition makes of the consumer (store, pause, resume) is made here, under the
/// lock, so that nothing is requested after `revoke()` returned (see `PartitionState`).
///
/// Owns the partition's `FinishedPosition` (see there for who may advance and read it).
final class AssignedPartition: Sendable {
    let topicPartition: TopicPartition
    private let state = Mutex(PartitionState())
    /// The partition's finished position: the only copy (see `FinishedPosition`).
    let finished = FinishedPosition()
    /// Mirrors `lifecycle == .running`, so the processing task can check it per record without the lock.
    private let running = Atomic<Bool>(true)
    private let control: any ConsumerControl
    private let flow: FlowControl
    private let maxBuffered: Int
    private let resumeBuffered: Int

    init(_ topicPartition: TopicPartition, control: any ConsumerControl, flow: FlowControl, settings: PipelineSettings) {
        self.topicPartition = topicPartition
        self.control = control
        self.flow = flow
        self.maxBuffered = settings.maxBufferedPerPartition
        self.resumeBuffered = settings.resumeBufferedPerPartition
    }

    // MARK: Poll-thread side

    /// Hands newly consumed records (in offset order) to the processing task; pauses the partition
    /// when too many of its records wait.
    func enqueue(_ records: ArraySlice<KafkaRecord>) {
        state.withLock { state in
            guard state.lifecycle == .running else { return }
            state.buffered += records.count
            state.consumed += records.count
            if state.firstOffset == nil { state.firstOffset = records.first?.offset }
            state.inbox.put(records)
            if state.buffered >= maxBuffered {
                apply(state.addPause(.backpressure))
            }
            state.flow.settle(owed: state.recordsOwedToFlow, in: flow)
        }
    }

    /// The partition is being revoked (or was lost): drop what is buffered, request nothing more, and
    /// return the finished position, to be stored before the partition goes. Later calls return the
    /// same position: an event that was in flight and finishes after the revoke is dropped, not counted
    /// (after the shutdown timeout the pipeline revokes first and the consumer's close asks again).
    func revoke() -> Int64? {
        state.withLock { state -> Int64? in
            guard state.lifecycle != .revoked else { return state.positionAtRevoke }
            state.lifecycle = .revoked
            running.store(false, ordering: .relaxed)
            state.inbox.close()
            state.flow.settle(owed: state.recordsOwedToFlow, in: flow)
            state.positionAtRevoke = finished.value
            return state.positionAtRevoke
        }
    }

    /// Graceful shutdown: take nothing more. Returns whether the processing task waits on a backoff
    /// (which the caller then cuts short); a running processor is never interrupted.
    func stop() -> Bool {
        state.withLock { state -> Bool in
            if state.lifecycle == .running { state.lifecycle = .stopping }
            running.store(false, ordering: .relaxed)
            state.inbox.close()
            state.flow.settle(owed: state.recordsOwedToFlow, in: flow)
            return state.isWaitingOnBackoff
        }
    }

    /// What observers see of this partition (the status page, lag): records consumed, the next offset
    /// to process (after the last finished record; before any, the first record received) and why it is
    /// paused. Under the lock; per scrape, not per record.
    func progress() -> PartitionProgress {
        state.withLock { state in
            PartitionProgress(
                consumed: state.consumed, nextOffset: finished.value ?? state.firstOffset,
                pauseReasons: state.pauses.reasons.map(\.name).sorted())
        }
    }

    // MARK: Processing-task side

    /// Whether the partition still takes records (a relaxed load, checked per record).
    @inline(__always)
    var isRunning: Bool { running.load(ordering: .relaxed) }

    var isRevoked: Bool { state.withLock { $0.lifecycle == .revoked } }

    /// Everything handed over since the last call, waiting for it if there is nothing; nil once the
    /// partition stopped or was revoked.
    func nextBatch() async -> RecordInbox.Batch? {
        await withCheckedContinuation { continuation in
            state.withLock { state in
                if state.lifecycle != .running {
                    continuation.resume(returning: nil)
                } else {
                    state.inbox.take(continuation)
                }
            }
        }
    }

    /// Bookkeeping for `count` records the processing task is done with since the last call — once per
    /// slice, and before any wait, never per record: the buffer count, backpressure, flow control, and
    /// (`storePosition`) requesting a store of the finished position.
    func settle(records count: Int, storePosition: Bool) {
        state.withLock { state in
            guard state.lifecycle != .revoked else { return }
            state.buffered -= count
            if state.buffered <= resumeBuffered {
                apply(state.removePause(.backpressure))
            }
            state.flow.settle(owed: state.recordsOwedToFlow, in: flow)
            if storePosition, let next = finished.value {
                control.storeOffsets([TopicPartitionOffset(topicPartition, offset: next)])
            }
        }
    }

    /// A later stage finished the work before `next` (see `ProcessedWork.markFinished()`): advance the
    /// position and store it, unless the partition was revoked meanwhile.
    func release(through next: Int64) {
        state.withLock { state in
            guard state.lifecycle != .revoked, finished.advance(to: next) else { return }
            control.storeOffsets([TopicPartitionOffset(topicPartition, offset: next)])
        }
    }

    func setPause(_ reason: PauseReason) {
        state.withLock { state in
            apply(state.addPause(reason))
            state.flow.settle(owed: state.recordsOwedToFlow, in: flow)
        }
    }

    func clearPause(_ reason: PauseReason) {
        state.withLock { state in
            apply(state.removePause(reason))
            state.flow.settle(owed: state.recordsOwedToFlow, in: flow)
        }
    }

    /// Sleeps for `delay`; returns false when the partition stopped or was revoked meanwhile (`stop()`
    /// and `revoke()` cancel the processing task to cut the sleep short).
    func wait(_ delay: Duration) async -> Bool {
        let proceed = state.withLock { state -> Bool in
            guard state.lifecycle == .running else { return false }
            state.isWaitingOnBackoff = true
            return true
        }
        guard proceed else { return false }
        let slept = (try? await Task.sleep(for: delay)) != nil
        return state.withLock { state in
            state.isWaitingOnBackoff = false
            return slept && state.lifecycle == .running
        }
    }

    /// Issues a pause/resume request. Must be called with the lock held (see `PartitionState`).
    private func apply(_ change: PartitionPauses.FetchChange) {
        switch change {
        case .none: break
        case .pause: control.pause([topicPartition])
        case .resume: control.resume([topicPartition])
        }
    }
}
