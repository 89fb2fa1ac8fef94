import Kafka
import ProcessingCore

/// Decides, for one record of the dead-letter topic, whether it is replayed and as what record.
///
/// The replayed record is exactly what the service once consumed: the original key and value bytes and
/// the original headers. The `dlq.*` headers stay on it, so that a consumer can tell a replayed event;
/// if it fails again, the pipeline replaces them with a fresh set (`DeadLetterHeaders.headers(for:)`
/// drops old `dlq.*` headers), so they never stack.
public struct DeadLetterReplayPlanner: Sendable {
    /// What happens to one dead letter.
    public enum Decision: Sendable, Equatable {
        /// Publish this record.
        case replay(ProducerRecord)
        /// Its error class is not among those asked for.
        case skipByFilter
    }

    /// The class reported for a record without a `dlq.error.class` header (not written by this service).
    public static let unknownErrorClass = "unknown"

    /// Classes to replay; empty replays every class.
    public var errorClasses: Set<String>
    /// `--to-topic`: wins over the letter's `dlq.original.topic`.
    public var targetTopicOverride: String?
    /// Used when a letter carries no `dlq.original.topic` header (`KAFKA_TOPIC`).
    public var fallbackTopic: String

    public init(errorClasses: Set<String>, targetTopicOverride: String?, fallbackTopic: String) {
        self.errorClasses = errorClasses
        self.targetTopicOverride = targetTopicOverride
        self.fallbackTopic = fallbackTopic
    }

    /// The letter's `dlq.error.class`, or `unknownErrorClass`.
    public static func errorClass(of record: KafkaRecord) -> String {
        DeadLetterHeaders.value(DeadLetterHeaders.errorClass, in: record.headers) ?? unknownErrorClass
    }

    public func decide(_ record: KafkaRecord) -> Decision {
        guard errorClasses.isEmpty || errorClasses.contains(Self.errorClass(of: record)) else { return .skipByFilter }
        let originalTopic = DeadLetterHeaders.value(DeadLetterHeaders.originalTopic, in: record.headers)
        let topic = targetTopicOverride ?? originalTopic ?? fallbackTopic
        // Back to the partition it came from when it goes back to its own topic: the event is then
        // ordered again with the events of its key, whatever partitioner its producer used. Another
        // topic may be partitioned differently, so there the partitioner chooses (by key).
        var partition: Int32?
        if topic == originalTopic,
            let text = DeadLetterHeaders.value(DeadLetterHeaders.originalPartition, in: record.headers),
            let original = Int32(text), original >= 0
        {
            partition = original
        }
        return .replay(ProducerRecord(topic: topic, partition: partition, key: record.key, value: record.value, headers: record.headers))
    }
}
