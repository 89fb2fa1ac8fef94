import Kafka

/// What one replay run has to read: for each partition of the dead-letter topic, the offsets from the
/// replay group's committed position (or the partition's start) up to the high watermark seen at the
/// start; and which topics exist (a letter is never published to a topic that does not).
struct DeadLetterReplayRange: Sendable, Equatable {
    /// Offsets still to read per partition; partitions with nothing to read are left out.
    var pending: [Int32: Range<Int64>]
    /// Every topic of the cluster when the replay started.
    var existingTopics: Set<String>
}

/// Finds the `DeadLetterReplayRange` of a replay run.
///
/// A replay must terminate even while the service keeps dead-lettering, so it stops at the watermarks
/// seen at its start; and it must know where it starts, or a partition an earlier replay already finished
/// (nothing to deliver) would be waited on forever. It asks with a `KafkaOffsetClient` that has the replay
/// group's `group.id` but never subscribes, so it never joins the group.
enum DeadLetterReplayRangeQuery {
    /// - Parameters:
    ///   - configuration: connection properties (brokers, security) plus the replay group's `group.id`.
    ///   - fromBeginning: ignore committed offsets and start at each partition's low watermark.
    /// - Throws: `.unknownTopic` when the topic does not exist, `.timedOut` or the broker's error when
    ///   the cluster does not answer within `timeout` per request.
    static func range(
        topic: String, configuration: KafkaConfiguration, fromBeginning: Bool, timeout: Duration
    ) async throws(KafkaError) -> DeadLetterReplayRange {
        let client = try KafkaOffsetClient(configuration: configuration)
        let description = try await client.describe(topic: topic, timeout: timeout)
        let partitions = TopicPartition.all(of: topic, count: description.partitionCount)
        let committed = fromBeginning ? [:] : try await client.committedOffsets(of: partitions, timeout: timeout)
        let watermarks = try await client.watermarks(of: partitions, timeout: timeout)
        var ranges: [Int32: Range<Int64>] = [:]
        for partition in partitions {
            guard let marks = watermarks[partition] else { continue }
            // A committed offset below the low watermark points at trimmed data: the consumer resets to
            // the earliest offset (the replay consumer's auto.offset.reset), i.e. the low watermark.
            let start = max(committed[partition] ?? marks.low, marks.low)
            if start < marks.high { ranges[partition.partition] = start..<marks.high }
        }
        return DeadLetterReplayRange(pending: ranges, existingTopics: description.clusterTopics)
    }
}
