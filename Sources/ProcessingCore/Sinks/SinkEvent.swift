import EventModel
import Kafka

/// A processed event on its way to an ``EventSink``: the decoded event and the Kafka record it came from.
///
/// The record gives the event's origin (topic, partition, offset), its value bytes exactly as received (the
/// file sink stores those), and what a dead letter needs when the store rejects the event. Both share the
/// memory the consumer copied the record's run into: a batch of `SinkEvent`s keeps those runs alive until
/// the batch is written, which bounds the memory they hold to what the batches hold.
public struct SinkEvent: Sendable {
    public var event: EnrichedEvent
    public var record: KafkaRecord

    public init(event: EnrichedEvent, record: KafkaRecord) {
        self.event = event
        self.record = record
    }

    /// The partition the event was read from.
    public var topicPartition: TopicPartition { record.topicPartition }
    /// The event's offset in that partition.
    public var offset: Int64 { record.offset }
}
