import CRdKafka

/// Where a partition stands, as the brokers see it: the group's committed offset and the log's watermarks.
public struct PartitionOffsets: Sendable, Equatable {
    /// The group's committed offset (the next offset to read), `nil` when the group has none.
    public var committed: Int64?
    /// The log end offset (the offset the next produced record gets; the last stable offset with
    /// `isolation.level=read_committed`), `nil` when the broker did not say.
    public var highWatermark: Int64?
    /// The earliest offset still in the log; queried only where asked for.
    public var lowWatermark: Int64?

    public init(committed: Int64?, highWatermark: Int64?, lowWatermark: Int64? = nil) {
        self.committed = committed
        self.highWatermark = highWatermark
        self.lowWatermark = lowWatermark
    }
}

/// Queries on the consumer's own handle for observers (lag, status): committed offsets, watermarks and
/// the group member id.
///
/// Why on this handle and not on one of its own: it costs no extra connections, and librdkafka answers
/// these from any thread. Why query at all: librdkafka refreshes a partition's cached high watermark only
/// from fetch responses, so the cached value (and the statistics' `consumer_lag`) freezes while a
/// partition is paused or its prefetch queue is full — exactly when lag matters. One
/// `rd_kafka_offsets_for_times` call (a ListOffsets request per leader, for every partition at once) gets
/// current high watermarks; one `rd_kafka_committed` (an OffsetFetch to the coordinator) the committed
/// offsets.
///
/// NOTE for whoever reconciles this with the standalone watermark/committed-offset API of the Kafka module
/// (dead-letter replay, tests): this one deliberately runs on the running consumer's handle; the blocking
/// calls run on a `DedicatedThread`, bracketed by `beginNativeCall`/`endNativeCall` so the handle
/// outlives them.
extension KafkaConsumer {
    /// Committed offsets and high watermarks of `partitions` (and low watermarks of those in
    /// `lowWatermarksOf`), asking the brokers on a thread of its own.
    /// - Throws: `.closed` once the consumer has closed, `.timedOut` (or another kind) when the brokers
    ///   did not answer within `timeout`.
    public func queryOffsets(
        of partitions: [TopicPartition], lowWatermarksOf: Set<TopicPartition> = [], timeout: Duration
    ) async throws(KafkaError) -> [TopicPartition: PartitionOffsets] {
        guard !partitions.isEmpty else { return [:] }
        let milliseconds = Self.milliseconds(timeout)
        return try await onNativeThread(name: "kafka-offsets") { client in
            Self.queryOffsets(client: client, partitions: partitions, lowWatermarksOf: lowWatermarksOf, timeoutMilliseconds: milliseconds)
        }.get()
    }

    /// This member's id in the group (empty before it first joined), `nil` once the consumer has closed.
    public func memberID() async -> String? {
        try? await onNativeThread(name: "kafka-member-id") { client -> Result<String, KafkaError> in
            guard let pointer = rd_kafka_memberid(client) else { return .success("") }
            defer { rd_kafka_mem_free(client, pointer) }
            return .success(String(cString: pointer))
        }.get()
    }

    /// The partitions this consumer has paused on request (cleared when they are revoked).
    public var pausedPartitions: Set<TopicPartition> {
        state.withLock { $0.paused }
    }

    /// What the poll thread records for observers (see `ConsumerObservations`).
    public var observations: ConsumerObservations { state.observations }

    // MARK: Implementation

    private static func milliseconds(_ duration: Duration) -> Int32 {
        let value = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return max(1, Int32(clamping: value))
    }

    /// Runs `body` with the native client on a dedicated thread (never the cooperative pool), while the
    /// handle is guaranteed to stay alive.
    private func onNativeThread<Value: Sendable>(
        name: String, _ body: @escaping @Sendable (OpaquePointer) -> Result<Value, KafkaError>
    ) async -> Result<Value, KafkaError> {
        guard state.withLock({ $0.beginNativeCall() }) else {
            return .failure(KafkaError(kind: .closed, message: "\(name) after the consumer closed"))
        }
        return await withCheckedContinuation { (continuation: CheckedContinuation<Result<Value, KafkaError>, Never>) in
            // `self` (and so the handle) stays alive: this method holds it until the continuation resumed.
            let started = DedicatedThread.start(name: name) { [handle, state] in
                let result = body(handle.client)
                state.endNativeCall()
                continuation.resume(returning: result)
            }
            if !started {
                state.endNativeCall()
                continuation.resume(returning: .failure(KafkaError(kind: .other, message: "cannot start a \(name) thread")))
            }
        }
    }

    private static func queryOffsets(
        client: OpaquePointer, partitions: [TopicPartition], lowWatermarksOf: Set<TopicPartition>, timeoutMilliseconds: Int32
    ) -> Result<[TopicPartition: PartitionOffsets], KafkaError> {
        var result: [TopicPartition: PartitionOffsets] = [:]
        // Committed offsets: one OffsetFetch to the group coordinator.
        let committedError = NativeTopicPartitionList.withList(partitions) { list -> KafkaError? in
            let err = rd_kafka_committed(client, list, timeoutMilliseconds)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { return KafkaError(code: err, context: "committed offsets") }
            for element in NativeTopicPartitionList.elements(of: list) {
                let valid = element.err == RD_KAFKA_RESP_ERR_NO_ERROR && element.offset >= 0
                result[TopicPartition(element), default: PartitionOffsets(committed: nil, highWatermark: nil)]
                    .committed = valid ? element.offset : nil
            }
            return nil
        }
        if let committedError { return .failure(committedError) }
        // High watermarks: ListOffsets for the latest offset (-1) of every partition at once.
        let highs = listOffsets(client: client, partitions, at: Int64(RD_KAFKA_OFFSET_END), timeoutMilliseconds: timeoutMilliseconds)
        switch highs {
        case .failure(let error): return .failure(error)
        case .success(let offsets):
            for (partition, offset) in offsets { result[partition, default: .init(committed: nil, highWatermark: nil)].highWatermark = offset }
        }
        if !lowWatermarksOf.isEmpty {
            let wanted = partitions.filter { lowWatermarksOf.contains($0) }
            if case .success(let lows) = listOffsets(
                client: client, wanted, at: Int64(RD_KAFKA_OFFSET_BEGINNING), timeoutMilliseconds: timeoutMilliseconds)
            {
                for (partition, offset) in lows { result[partition]?.lowWatermark = offset }
            }
        }
        return .success(result)
    }

    /// `rd_kafka_offsets_for_times` with the special timestamps -1 (latest) or -2 (earliest).
    private static func listOffsets(
        client: OpaquePointer, _ partitions: [TopicPartition], at timestamp: Int64, timeoutMilliseconds: Int32
    ) -> Result<[TopicPartition: Int64], KafkaError> {
        NativeTopicPartitionList.withList(partitions.map { TopicPartitionOffset($0, offset: timestamp) }) { list in
            let err = rd_kafka_offsets_for_times(client, list, timeoutMilliseconds)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { return .failure(KafkaError(code: err, context: "list offsets")) }
            var offsets: [TopicPartition: Int64] = [:]
            for element in NativeTopicPartitionList.elements(of: list)
            where element.err == RD_KAFKA_RESP_ERR_NO_ERROR && element.offset >= 0 {
                offsets[TopicPartition(element)] = element.offset
            }
            return .success(offsets)
        }
    }
}
