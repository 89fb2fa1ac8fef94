import CRdKafka

/// Offset queries on the consumer's own handle: no second connection, and any partitions may be asked,
/// assigned or not. Asked of the brokers, so unlike librdkafka's statistics (whose cached high watermark
/// freezes while a partition is paused or its prefetch queue is full, exactly when lag matters) the
/// values of paused partitions are current.
///
/// Which to use: `watermarks(of:timeout:)` and `committedOffsets(of:timeout:)` are `KafkaOffsetClient`'s
/// calls of the same names, with the same answers and errors (strict: the first failed partition
/// throws); use them where a wrong or missing partition is a bug. `partitionOffsets(of:lowWatermarksOf:timeout:)`
/// is for observers (lag, status): both questions at once, lenient per partition. Outside a running
/// consumer (replay, tests), use a `KafkaOffsetClient`.
extension KafkaConsumer {
    /// Low and high watermarks of each partition, asked of the partition leaders (as
    /// `KafkaOffsetClient.watermarks(of:timeout:)`).
    /// - Parameter timeout: per request; a hang bound (answers take milliseconds).
    /// - Throws: the error of the first partition (in `partitions` order) that failed, naming it, the
    ///   request's error (`.timedOut` et al.), `.closed` once the consumer closed.
    public func watermarks(
        of partitions: [TopicPartition], timeout: Duration = .seconds(30)
    ) async throws(KafkaError) -> [TopicPartition: PartitionWatermarks] {
        try await blockingCall("watermarks") { client in
            NativeOffsetQueries.watermarks(client: client, partitions: partitions, timeout: timeout).flatMap(\.strict)
        }
    }

    /// This consumer group's committed offsets (next offset to read) of `partitions`, from the group
    /// coordinator; partitions the group never committed are absent (as
    /// `KafkaOffsetClient.committedOffsets(of:timeout:)`).
    /// - Throws: `.timedOut` or the coordinator's error, the error of the first partition that failed,
    ///   `.closed` once the consumer closed.
    public func committedOffsets(
        of partitions: [TopicPartition], timeout: Duration = .seconds(30)
    ) async throws(KafkaError) -> [TopicPartition: Int64] {
        try await blockingCall("committed") { client in
            NativeOffsetQueries.committedOffsets(client: client, partitions: partitions, timeout: timeout).flatMap(\.strict)
        }
    }

    /// Committed offsets and high watermarks of `partitions` (and low watermarks of those in
    /// `lowWatermarksOf`), for observers: one OffsetFetch to the coordinator and one ListOffsets per leader.
    /// Lenient per partition: every partition asked has an entry, and a field is `nil` where the brokers
    /// did not answer it (a leaderless or unknown partition does not hide the others' answers).
    /// - Throws: `.closed` once the consumer has closed, `.timedOut` (or another kind) when the committed
    ///   offsets or high watermarks could not be asked at all within `timeout`.
    public func partitionOffsets(
        of partitions: [TopicPartition], lowWatermarksOf: Set<TopicPartition> = [], timeout: Duration = .seconds(30)
    ) async throws(KafkaError) -> [TopicPartition: PartitionOffsets] {
        guard !partitions.isEmpty else { return [:] }
        return try await blockingCall("offsets") { client in
            NativeOffsetQueries.partitionOffsets(
                client: client, partitions: partitions, lowWatermarksOf: lowWatermarksOf, timeout: timeout)
        }
    }

    /// The position of each of `partitions` that this consumer has delivered from (or polled and dropped,
    /// after `stopDelivery()`): the offset after the last record its poll thread took from librdkafka.
    /// Partitions with no such record, or not assigned, are absent. Answered locally, without blocking.
    /// With `watermarks(of:timeout:)` this gives a partition's fetch lag (`high - position`).
    /// - Throws: `.closed` once the consumer closed.
    public func positions(of partitions: [TopicPartition]) throws(KafkaError) -> [TopicPartition: Int64] {
        guard !partitions.isEmpty else { return [:] }
        guard state.withLock({ $0.beginNativeCall() }) else {
            throw KafkaError(kind: .closed, message: "positions(of:) after the consumer closed")
        }
        defer { state.endNativeCall() }
        return try NativeTopicPartitionList.withList(partitions) { list -> Result<[TopicPartition: Int64], KafkaError> in
            let err = rd_kafka_position(handle.client, list)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { return .failure(KafkaError(code: err, context: "positions")) }
            var positions: [TopicPartition: Int64] = [:]
            for element in NativeTopicPartitionList.elements(of: list) where element.err == RD_KAFKA_RESP_ERR_NO_ERROR && element.offset >= 0 {
                positions[TopicPartition(element)] = element.offset
            }
            return .success(positions)
        }.get()
    }
}
