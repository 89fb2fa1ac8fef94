import CRdKafka

/// Reads a topic's watermarks and a consumer group's committed offsets without taking part in the group.
///
/// It is a consumer handle with the group's `group.id` that never subscribes or assigns: librdkafka then
/// only looks up the group coordinator and sends OffsetFetch for `rd_kafka_committed`; it never sends
/// JoinGroup, so watching a group cannot trigger a rebalance of the consumer being measured.
final class OffsetInspector {
    private let handle: OpaquePointer
    private let topic: String
    private let partitions: Int32
    /// Reused for every committed-offsets query: rd_kafka_committed overwrites the offsets in place.
    private let committedQuery: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    init(brokers: String, group: String, topic: String, partitions: Int32) throws {
        handle = try NativeClient.consumer([
            "bootstrap.servers": brokers,
            "group.id": group,
            // Belt and braces: with no assignment there is nothing to commit, and nothing must be.
            "enable.auto.commit": "false",
        ])
        self.topic = topic
        self.partitions = partitions
        committedQuery = rd_kafka_topic_partition_list_new(partitions)
        for partition in 0..<partitions {
            rd_kafka_topic_partition_list_add(committedQuery, topic, partition)
        }
    }

    deinit {
        rd_kafka_topic_partition_list_destroy(committedQuery)
        // Not a group member, so close only stops the group machinery; it sends no LeaveGroup.
        rd_kafka_consumer_close(handle)
        rd_kafka_destroy(handle)
    }

    /// Low and high watermark of every partition of the topic, asked of the partition leaders.
    func watermarks(timeoutMs: Int32 = 10_000) throws -> [(low: Int64, high: Int64)] {
        try (0..<partitions).map { partition in
            var low: Int64 = 0
            var high: Int64 = 0
            let error = rd_kafka_query_watermark_offsets(handle, topic, partition, &low, &high, timeoutMs)
            guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw LibrdkafkaError("watermarks of \(topic) [\(partition)]", error)
            }
            return (low, high)
        }
    }

    /// The sum over all partitions of the group's committed offsets (a partition with no committed
    /// offset counts 0). Committed offsets are "next offset to read", so with a low watermark of 0 the
    /// sum is the number of events the group has finished.
    func committedTotal(timeoutMs: Int32 = 5_000) throws -> Int64 {
        let error = rd_kafka_committed(handle, committedQuery, timeoutMs)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else { throw LibrdkafkaError("committed offsets", error) }
        var total: Int64 = 0
        for index in 0..<Int(committedQuery.pointee.cnt) {
            let element = committedQuery.pointee.elems[index]
            guard element.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw LibrdkafkaError("committed offset of \(topic) [\(element.partition)]", element.err)
            }
            // RD_KAFKA_OFFSET_INVALID (-1001) = nothing committed yet.
            if element.offset > 0 { total += element.offset }
        }
        return total
    }
}
