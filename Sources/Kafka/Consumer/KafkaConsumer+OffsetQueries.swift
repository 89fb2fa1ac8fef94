import CRdKafka

extension KafkaConsumer {
    /// Low and high watermarks of `partitions`, asked of the partition leaders on this consumer's own
    /// handle (no second connection). Meant for lag reporting: unlike librdkafka's statistics, the values
    /// of paused partitions are current. Any partitions may be asked, assigned or not.
    /// - Parameter timeout: per partition; a hang bound (answers take milliseconds).
    /// - Throws: the broker's error for the first partition that failed, `.closed` once the consumer closed.
    public func watermarks(
        of partitions: [TopicPartition], timeout: Duration
    ) async throws(KafkaError) -> [TopicPartition: PartitionWatermarks] {
        try await nativeQuery("watermarks") { client in
            NativeOffsetQueries.watermarks(client: client, partitions: partitions, timeoutMilliseconds: timeout.librdkafkaMilliseconds)
        }
    }

    /// This consumer group's committed offsets (next offset to read) of `partitions`, from the group
    /// coordinator; partitions the group never committed are absent.
    /// - Throws: `.timedOut` or the coordinator's error, `.closed` once the consumer closed.
    public func committedOffsets(
        of partitions: [TopicPartition], timeout: Duration
    ) async throws(KafkaError) -> [TopicPartition: Int64] {
        try await nativeQuery("committed") { client in
            NativeOffsetQueries.committedOffsets(client: client, partitions: partitions, timeoutMilliseconds: timeout.librdkafkaMilliseconds)
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

    /// Runs a blocking request on the consumer's handle on a dedicated thread, registered as an in-flight
    /// native call so that the poll thread does not destroy the handle before it returned.
    private func nativeQuery<Success: Sendable>(
        _ what: String, _ body: @escaping @Sendable (OpaquePointer) -> Result<Success, KafkaError>
    ) async throws(KafkaError) -> Success {
        guard state.withLock({ $0.beginNativeCall() }) else {
            throw KafkaError(kind: .closed, message: "\(what) query after the consumer closed")
        }
        // `self` (and so the handle) stays alive: this method holds it until the thread returned.
        return try await DedicatedThread.run(name: "kafka-\(what)", notStarted: { [state] in state.endNativeCall() }) {
            [handle, state] in
            defer { state.endNativeCall() }
            return body(handle.client)
        }.get()
    }
}
