import Kafka

/// Which offsets the sink stage may release, per partition: the bookkeeping of ``SinkBatcher``, kept
/// apart (a value type, no locks, no clocks) so that the rule is in one place and testable on its own.
///
/// The rule: a partition's position may be released up to, but not past, its first event that is not yet
/// durable. Batches are written in the order they were formed, and a partition's events enter batches in
/// offset order, so that event is the first one of the partition in the oldest pending batch (pending:
/// being written, waiting to be written, or still being filled). A partition with no pending event is
/// released up to the position after the last event or marker it was given.
///
/// Events whose store rejected them and that could not be dead-lettered (dead-lettering disabled) stay
/// *held*: their partition is never released past them, as the pipeline does with any event it can neither
/// finish nor skip, until the partition is revoked.
///
/// Owned by the ``SinkBatcher``'s lock; nothing else touches it.
struct SinkPositions {
    /// A batch's first offset of each partition it holds.
    typealias BatchFirstOffsets = [TopicPartition: Int64]

    private struct Progress {
        /// The position after the last event or marker submitted (the next offset to read).
        var finishedNext: Int64 = -1
        /// The last position released, -1 before the first.
        var releasedNext: Int64 = -1
        /// The lowest offset of a held event, if any.
        var heldAt: Int64?
    }

    private var progress: [TopicPartition: Progress] = [:]

    /// Records that everything of `partition` before `next` was handed to the stage (events or markers);
    /// `first` is the offset of the first event of the run, when it holds events. The first run of a
    /// partition sets where it starts: nothing at or before that is ever released (it was not the stage's).
    mutating func submitted(_ partition: TopicPartition, first: Int64?, next: Int64) {
        var state = progress[partition] ?? Progress(releasedNext: first ?? -1)
        state.finishedNext = max(state.finishedNext, next)
        progress[partition] = state
    }

    /// The event at `offset` can never be stored or dead-lettered: hold `partition` before it.
    mutating func hold(_ partition: TopicPartition, at offset: Int64) {
        guard progress[partition] != nil else { return }
        progress[partition]!.heldAt = min(progress[partition]!.heldAt ?? offset, offset)
    }

    /// Forgets `partition` (revoked or lost): nothing more is released for it until it is submitted again.
    mutating func forget(_ partition: TopicPartition) {
        progress[partition] = nil
    }

    /// Whether the stage tracks `partition` (it was submitted and not forgotten since).
    func tracks(_ partition: TopicPartition) -> Bool { progress[partition] != nil }

    /// New positions to release for `partitions`, given the first offsets of the batches still pending, oldest
    /// first; each position is returned once and only when it moves forward.
    mutating func release(
        _ partitions: some Sequence<TopicPartition>, pending: [BatchFirstOffsets]
    ) -> [TopicPartitionOffset] {
        var released: [TopicPartitionOffset] = []
        for partition in partitions {
            guard var state = progress[partition] else { continue }
            var next = state.finishedNext
            if let firstPending = pending.lazy.compactMap({ $0[partition] }).first {
                next = min(next, firstPending)
            }
            if let held = state.heldAt { next = min(next, held) }
            guard next > state.releasedNext else { continue }
            state.releasedNext = next
            progress[partition] = state
            released.append(TopicPartitionOffset(partition, offset: next))
        }
        return released
    }
}
