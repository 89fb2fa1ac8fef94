import CRdKafka

/// The blocking librdkafka requests behind `KafkaOffsetClient` and `KafkaConsumer`'s offset queries,
/// written once for any client handle (`rd_kafka_t *`, consumer or producer type; librdkafka allows them
/// from any thread while the handle lives).
///
/// Each call blocks its thread for up to `timeoutMilliseconds` per request: run it on a `DedicatedThread`,
/// never on Swift's cooperative pool. Callers guarantee that the handle outlives the call.
enum NativeOffsetQueries {
    /// Low and high watermarks of each partition, asked of the partition leaders (a ListOffsets request
    /// per partition, so a paused partition's values are current, unlike the cached ones that librdkafka's
    /// statistics report).
    /// - Returns: the broker's error for the first partition that failed (`.unknownTopic` et al. by code).
    static func watermarks(
        client: OpaquePointer, partitions: [TopicPartition], timeoutMilliseconds: Int32
    ) -> Result<[TopicPartition: PartitionWatermarks], KafkaError> {
        var watermarks: [TopicPartition: PartitionWatermarks] = [:]
        watermarks.reserveCapacity(partitions.count)
        for partition in partitions {
            var low: Int64 = 0
            var high: Int64 = 0
            let err = rd_kafka_query_watermark_offsets(
                client, partition.topic, partition.partition, &low, &high, timeoutMilliseconds)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                return .failure(KafkaError(code: err, context: "watermarks of \(partition)"))
            }
            watermarks[partition] = PartitionWatermarks(low: low, high: high)
        }
        return .success(watermarks)
    }

    /// The committed offset (next offset to read) of each partition in the group named by the handle's
    /// `group.id`, from one OffsetFetch request to the group coordinator. Partitions the group never
    /// committed are absent from the result. Sending OffsetFetch does not join the group.
    static func committedOffsets(
        client: OpaquePointer, partitions: [TopicPartition], timeoutMilliseconds: Int32
    ) -> Result<[TopicPartition: Int64], KafkaError> {
        guard !partitions.isEmpty else { return .success([:]) }
        return NativeTopicPartitionList.withList(partitions) { list in
            let err = rd_kafka_committed(client, list, timeoutMilliseconds)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                return .failure(KafkaError(code: err, context: "committed offsets"))
            }
            var offsets: [TopicPartition: Int64] = [:]
            for element in NativeTopicPartitionList.elements(of: list) {
                guard element.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    return .failure(KafkaError(code: element.err, context: "committed offset of \(TopicPartition(element))"))
                }
                // RD_KAFKA_OFFSET_INVALID (-1001): the group has no committed offset for this partition.
                if element.offset >= 0 { offsets[TopicPartition(element)] = element.offset }
            }
            return .success(offsets)
        }
    }
}
