import EventModel
import Kafka
import Logging

/// What the service does with each decoded event. Implement this to plug in your own business logic.
///
/// The pipeline calls `process` for one partition's events strictly in offset order, never concurrently
/// for the same partition (events of different partitions run concurrently). A thrown error is
/// retried with the configured backoff (the partition is paused meanwhile, other partitions keep
/// flowing), unless it is a `PermanentProcessingError`, which dead-letters the event at once.
/// The event's offset is committed only after `process` returned or the event was dead-lettered.
///
/// Events are decoded in place, in the memory the consumer copied its records into, one block per run
/// of records: an event kept after `process` returned keeps that whole block. Keep the values you need
/// (`event.eventID`, ...) rather than many events. Processors that never suspend should implement
/// ``SynchronousEventProcessor``.
public protocol EventProcessor: Sendable {
    func process(_ event: EnrichedEvent, context: ProcessingContext) async throws
}

/// Where an event came from and how often it has been tried.
public struct ProcessingContext: Sendable {
    public var topicPartition: TopicPartition
    public var offset: Int64
    /// 1 for the first try, 2 for the first retry, and so on.
    public var attempt: Int
    /// The service's logger. Put per-event details into the log call's metadata (evaluated only when
    /// the level is enabled) rather than into a logger copy, which would cost on every event.
    public var logger: Logger

    public init(topicPartition: TopicPartition, offset: Int64, attempt: Int, logger: Logger) {
        self.topicPartition = topicPartition
        self.offset = offset
        self.attempt = attempt
        self.logger = logger
    }
}
