import Kafka

/// One partition's run of records a worker is done with, handed to a ``ProcessedEventStage``: the
/// events the processor accepted, in offset order, and the position that becomes finished with them.
public struct ProcessedWork: Sendable {
    /// The processed events, in offset order. Empty when every record of the run was dead-lettered.
    public let events: [ProcessedEvent]
    /// The next offset after the last record of the run (processed or dead-lettered): the position
    /// ``markFinished()`` makes committable.
    public let through: Int64
    let partition: AssignedPartition

    init(events: [ProcessedEvent], through: Int64, partition: AssignedPartition) {
        self.events = events
        self.through = through
        self.partition = partition
    }

    /// The partition the work belongs to.
    public var topicPartition: TopicPartition { partition.topicPartition }

    /// The events are durable (and so is every earlier work of this partition): the position moves to
    /// ``through`` and is stored for commit. Thread-safe; does nothing once the partition was revoked,
    /// or when a later work of the partition was already marked.
    public func markFinished() {
        partition.release(through: through)
    }
}
