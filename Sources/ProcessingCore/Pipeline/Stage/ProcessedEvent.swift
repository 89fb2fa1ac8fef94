import EventModel
import Kafka

/// An event the processor accepted, with the record it was decoded from (origin, key, the value bytes
/// as received, headers — what a sink stores, or what a dead letter needs).
///
/// The event is decoded in place: it keeps the memory of its record's whole run alive, as does the
/// record. A stage should hold events only until they are written.
public struct ProcessedEvent: Sendable {
    public let event: EnrichedEvent
    public let record: KafkaRecord

    public init(event: EnrichedEvent, record: KafkaRecord) {
        self.event = event
        self.record = record
    }
}
