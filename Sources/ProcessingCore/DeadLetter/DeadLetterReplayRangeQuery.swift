import CRdKafka
import Foundation
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
/// (nothing to deliver) would be waited on forever. The `Kafka` wrapper has no watermark or
/// committed-offset API (the service never needs one), so this asks librdkafka directly, with a consumer
/// handle that has the replay group's `group.id` but never subscribes: it never joins the group,
/// `rd_kafka_committed` only sends an OffsetFetch to the coordinator.
enum DeadLetterReplayRangeQuery {
    /// Queries the range on a dedicated thread (the librdkafka calls block).
    /// - Parameters:
    ///   - configuration: connection properties (brokers, security) plus the replay group's `group.id`.
    ///   - fromBeginning: ignore committed offsets and start at each partition's low watermark.
    /// - Throws: `.unknownTopic` when the topic does not exist, `.timedOut` or the broker's error when
    ///   the cluster does not answer within `timeout` per request.
    static func range(
        topic: String, configuration: KafkaConfiguration, fromBeginning: Bool, timeout: Duration
    ) async throws(KafkaError) -> DeadLetterReplayRange {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<DeadLetterReplayRange, KafkaError>, Never>) in
            let thread = Thread {
                continuation.resume(returning: Result { () throws(KafkaError) in
                    try query(topic: topic, configuration: configuration, fromBeginning: fromBeginning, timeout: timeout)
                })
            }
            thread.name = "dlq-replay-range"
            thread.start()
        }
        return try result.get()
    }

    private static func query(
        topic: String, configuration: KafkaConfiguration, fromBeginning: Bool, timeout: Duration
    ) throws(KafkaError) -> DeadLetterReplayRange {
        var configuration = configuration
        // This handle must never commit, even when destroyed.
        configuration["enable.auto.commit"] = "false"
        let conf = try configuration.makeNativeConfiguration()
        var errorText = [CChar](repeating: 0, count: 512)
        // On success rd_kafka_new owns `conf`; on failure it is still ours.
        guard let client = rd_kafka_new(RD_KAFKA_CONSUMER, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError(kind: .configuration, message: "cannot create the replay range client: \(string(errorText))")
        }
        // Never subscribed: there is no group to leave, so no consumer close.
        defer { rd_kafka_destroy_flags(client, Int32(RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE)) }
        let milliseconds = Int32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)

        let description = try TopicMetadataQuery.describe(client: client, topic: topic, timeoutMilliseconds: milliseconds).get()
        let (partitionCount, existingTopics) = (description.partitionCount, description.clusterTopics)
        var committed: [Int32: Int64] = [:]
        if !fromBeginning {
            committed = try committedOffsets(client: client, topic: topic, partitionCount: partitionCount, timeoutMilliseconds: milliseconds)
        }
        var ranges: [Int32: Range<Int64>] = [:]
        for partition in 0..<Int32(partitionCount) {
            var low: Int64 = 0
            var high: Int64 = 0
            let err = rd_kafka_query_watermark_offsets(client, topic, partition, &low, &high, milliseconds)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError(code: err, context: "watermarks of \(topic)[\(partition)]")
            }
            // A committed offset below the low watermark points at trimmed data: the consumer resets to
            // the earliest offset (the replay consumer's auto.offset.reset), i.e. the low watermark.
            let start = max(committed[partition] ?? low, low)
            if start < high { ranges[partition] = start..<high }
        }
        return DeadLetterReplayRange(pending: ranges, existingTopics: existingTopics)
    }

    private static func committedOffsets(
        client: OpaquePointer, topic: String, partitionCount: Int, timeoutMilliseconds: Int32
    ) throws(KafkaError) -> [Int32: Int64] {
        guard partitionCount > 0, let list = rd_kafka_topic_partition_list_new(Int32(partitionCount)) else { return [:] }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for partition in 0..<Int32(partitionCount) {
            rd_kafka_topic_partition_list_add(list, topic, partition)
        }
        let err = rd_kafka_committed(client, list, timeoutMilliseconds)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code: err, context: "committed offsets of the replay group on \(topic)")
        }
        var offsets: [Int32: Int64] = [:]
        for element in UnsafeBufferPointer(start: list.pointee.elems, count: Int(list.pointee.cnt)) {
            guard element.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError(code: element.err, context: "committed offset of \(topic)[\(element.partition)]")
            }
            // RD_KAFKA_OFFSET_INVALID (-1001): the group never committed this partition.
            if element.offset >= 0 { offsets[element.partition] = element.offset }
        }
        return offsets
    }

    private static func string(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
