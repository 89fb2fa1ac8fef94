import Kafka

/// A processed event on its way to an ``EventSink``: the pipeline's ``ProcessedEvent`` (the decoded event
/// and the Kafka record it came from), under the name sink authors look for.
///
/// The record gives the event's origin (topic, partition, offset), its value bytes exactly as received (the
/// file sink stores those), and what a dead letter needs when the store rejects the event. Both share the
/// memory the consumer copied the record's run into: a batch keeps those runs alive until it is written,
/// which bounds the memory they hold to what the batches hold.
public typealias SinkEvent = ProcessedEvent

extension ProcessedEvent {
    /// The partition the event was read from.
    public var topicPartition: TopicPartition { record.topicPartition }
    /// The event's offset in that partition.
    public var offset: Int64 { record.offset }
}
