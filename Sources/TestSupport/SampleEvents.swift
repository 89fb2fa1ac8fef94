import EventModel
import EventModelTesting
import Kafka

/// Decoded synthetic events with the Kafka records they came from, for tests of the sink stage and the
/// stores: what the pipeline hands the sink stage, without a broker.
public enum SampleEvents {
    /// One event and its record.
    public struct Sample: Sendable {
        public var record: KafkaRecord
        public var event: EnrichedEvent
    }

    /// `count` synthetic events spread round-robin over `partitions` partitions of `topic`, with offsets
    /// counting up per partition from `firstOffset`; the same seed gives the same events.
    public static func make(
        count: Int, partitions: Int = 1, topic: String = "user-activity-events", seed: UInt64 = 1, firstOffset: Int64 = 0
    ) -> [Sample] {
        var generator = SyntheticEventGenerator(seed: seed)
        var nextOffset = [Int64](repeating: firstOffset, count: partitions)
        return (0..<count).map { index in
            let partition = index % partitions
            defer { nextOffset[partition] += 1 }
            return sample(
                value: generator.next().value, topic: topic, partition: Int32(partition), offset: nextOffset[partition])
        }
    }

    /// A sample from a JSON document (which must be a valid EnrichedEvent).
    public static func sample(value: [UInt8], topic: String = "user-activity-events", partition: Int32 = 0, offset: Int64) -> Sample {
        let record = KafkaRecord(
            topicPartition: TopicPartition(topic: topic, partition: partition), offset: offset, key: nil, value: value,
            timestampMilliseconds: nil)
        // Copied out of the record (not decoded in place), as a test has no record arena to borrow from.
        let event = try! EnrichedEventDecoder().decode(value)
        return Sample(record: record, event: event)
    }

    /// A minimal valid event document with the given `event_id` and optional `user_id` (JSON-escaped by the
    /// caller when needed), timestamp `2024-01-15T10:30:45.123456Z` unless given.
    public static func document(eventID: String, userID: String? = nil, timestamp: String = "2024-01-15T10:30:45.123456Z") -> [UInt8] {
        var text = "{\"event_id\":\"\(eventID)\",\"event_type\":\"page_view\",\"timestamp\":\"\(timestamp)\""
        if let userID { text += ",\"user_id\":\"\(userID)\"" }
        text += "}"
        return Array(text.utf8)
    }
}
