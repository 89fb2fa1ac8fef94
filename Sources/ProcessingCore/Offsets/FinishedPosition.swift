import Synchronization

/// The finished position of one assigned partition: the next offset to read after all of its finished
/// work — what may be stored for commit. This is the only place that position lives; everything else
/// (a store request queued in the consumer, librdkafka's stored and committed offsets) is made from it.
///
/// "Finished" means processed and released by the stage after processing (at once when there is none,
/// see `ProcessedEventStage`), or given up on and dead-lettered. Events of a partition finish strictly in
/// offset order, so the position is "last finished offset + 1"; gaps (compacted topics, transaction
/// markers) never move it past work that was not done, because only finished records move it.
///
/// Who may touch it (one partition, one `AssignedPartition`):
/// - **Advanced** by exactly one party, in offset order, never backwards:
///   - without a `ProcessedEventStage`, the partition's processing task after each record it finished
///     (`PartitionWorker`'s record loop): a releasing store, no lock, no read-modify-write — a record
///     finished while the next is still in the processor is then visible to a revoke;
///   - with one, that stage, through `ProcessedWork.markFinished()`, under the partition lock.
/// - **Read** only under the partition lock (`AssignedPartition`), by whoever turns it into a store
///   request: the per-slice settle, a stage's release, and `revoke()` on the poll thread. Every store is
///   requested under that lock after checking that the partition is not revoked, which is the ordering
///   rule against revokes: nothing is stored for a partition after `revoke()` returned its position.
///   The processing task may still advance it afterwards (an event in flight finishing); that value is
///   never read: later revokes answer what the first one returned (`PartitionState.positionAtRevoke`).
///
/// `~Copyable` so that it is stored inline in its owner: advancing it costs one store instruction.
struct FinishedPosition: ~Copyable, Sendable {
    /// -1 until the first record finished.
    private let next = Atomic<Int64>(-1)

    /// The position, or `nil` before anything finished.
    var value: Int64? {
        let next = next.load(ordering: .acquiring)
        return next >= 0 ? next : nil
    }

    /// The record at `offset` finished (its successor is the new position). For the single advancing
    /// party only, in offset order; see the type's comment.
    @inline(__always)
    func finished(offset: Int64) {
        next.store(offset + 1, ordering: .releasing)
    }

    /// Moves the position to `next` if that is ahead of it; returns whether it moved. For a stage's
    /// releases (under the partition lock), which may come in any order: a position never goes back.
    func advance(to next: Int64) -> Bool {
        guard next > self.next.load(ordering: .relaxed) else { return false }
        self.next.store(next, ordering: .releasing)
        return true
    }
}
