import CRdKafka

/// The blocking librdkafka requests behind `KafkaOffsetClient` and `KafkaConsumer`'s offset queries,
/// written once for any client handle (`rd_kafka_t *`; librdkafka allows them from any thread while the
/// handle lives): the one place that asks for watermarks and committed offsets.
///
/// Each call blocks its thread for up to `timeout` per request: run it on a `DedicatedThread`, never on
/// Swift's cooperative pool. Callers guarantee that the handle outlives the call.
///
/// A request that failed as a whole (no coordinator, timed out) is a `.failure`; a partition that failed
/// alone is recorded in `PartitionResults.failures`, so strict and lenient callers share the request.
enum NativeOffsetQueries {
    /// Low and high watermarks of each partition: two ListOffsets requests per partition leader (earliest,
    /// latest) for all partitions at once. Asked of the leaders, so a paused partition's values are
    /// current, unlike the cached ones that librdkafka's statistics report.
    static func watermarks(
        client: OpaquePointer, partitions: [TopicPartition], timeout: Duration
    ) -> Result<PartitionResults<PartitionWatermarks>, KafkaError> {
        let lows: PartitionResults<Int64>
        let highs: PartitionResults<Int64>
        switch listOffsets(client: client, partitions: partitions, at: .earliest, timeout: timeout) {
        case .failure(let error): return .failure(error)
        case .success(let answer): lows = answer
        }
        switch listOffsets(client: client, partitions: partitions, at: .latest, timeout: timeout) {
        case .failure(let error): return .failure(error)
        case .success(let answer): highs = answer
        }
        var result = PartitionResults<PartitionWatermarks>()
        result.values.reserveCapacity(partitions.count)
        let lowFailures = Dictionary(lows.failures.map { ($0.partition, $0.error) }) { first, _ in first }
        let highFailures = Dictionary(highs.failures.map { ($0.partition, $0.error) }) { first, _ in first }
        for partition in partitions {
            if let low = lows.values[partition], let high = highs.values[partition] {
                result.values[partition] = PartitionWatermarks(low: low, high: high)
            } else if let error = lowFailures[partition] ?? highFailures[partition] {
                result.failures.append((partition, error))
            }
        }
        return .success(result)
    }

    /// The committed offset (next offset to read) of each partition in the group named by the handle's
    /// `group.id`, from one OffsetFetch request to the group coordinator (sending it does not join the
    /// group). Partitions the group never committed are in neither `values` nor `failures`.
    static func committedOffsets(
        client: OpaquePointer, partitions: [TopicPartition], timeout: Duration
    ) -> Result<PartitionResults<Int64>, KafkaError> {
        guard !partitions.isEmpty else { return .success(PartitionResults()) }
        return NativeTopicPartitionList.withList(partitions) { list in
            let err = rd_kafka_committed(client, list, timeout.librdkafkaRequestMilliseconds)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                return .failure(KafkaError(code: err, context: "committed offsets"))
            }
            // RD_KAFKA_OFFSET_INVALID (-1001): the group has no committed offset for this partition.
            return .success(results(of: list, context: "committed offset"))
        }
    }

    /// Committed offsets and high watermarks of `partitions`, low watermarks of those in `lowWatermarksOf`:
    /// the lenient combination an observer wants. Every partition asked has an entry; a field is `nil`
    /// where its request failed for that partition (or, for the low watermark, failed at all).
    /// - Returns: `.failure` only when the committed offsets or high watermarks could not be asked at all.
    static func partitionOffsets(
        client: OpaquePointer, partitions: [TopicPartition], lowWatermarksOf: Set<TopicPartition>, timeout: Duration
    ) -> Result<[TopicPartition: PartitionOffsets], KafkaError> {
        guard !partitions.isEmpty else { return .success([:]) }
        let committed: PartitionResults<Int64>
        let highs: PartitionResults<Int64>
        switch committedOffsets(client: client, partitions: partitions, timeout: timeout) {
        case .failure(let error): return .failure(error)
        case .success(let answer): committed = answer
        }
        switch listOffsets(client: client, partitions: partitions, at: .latest, timeout: timeout) {
        case .failure(let error): return .failure(error)
        case .success(let answer): highs = answer
        }
        let wanted = partitions.filter { lowWatermarksOf.contains($0) }
        // A missing low watermark only delays where a fresh partition is known to start: never fail for it.
        var lows: [TopicPartition: Int64] = [:]
        if !wanted.isEmpty, case .success(let answer) = listOffsets(client: client, partitions: wanted, at: .earliest, timeout: timeout) {
            lows = answer.values
        }
        var result: [TopicPartition: PartitionOffsets] = [:]
        result.reserveCapacity(partitions.count)
        for partition in partitions {
            result[partition] = PartitionOffsets(
                committed: committed.values[partition], highWatermark: highs.values[partition], lowWatermark: lows[partition])
        }
        return .success(result)
    }

    // MARK: Implementation

    /// The special ListOffsets timestamps of `rd_kafka_offsets_for_times`.
    enum LogEnd: Int64 {
        /// The low watermark (`RD_KAFKA_OFFSET_BEGINNING`).
        case earliest = -2
        /// The high watermark (`RD_KAFKA_OFFSET_END`; the last stable offset with read_committed).
        case latest = -1
    }

    /// One `rd_kafka_offsets_for_times` with timestamp -1 or -2: one ListOffsets request per partition
    /// leader for all partitions, where `rd_kafka_query_watermark_offsets` would send one per partition.
    static func listOffsets(
        client: OpaquePointer, partitions: [TopicPartition], at end: LogEnd, timeout: Duration
    ) -> Result<PartitionResults<Int64>, KafkaError> {
        guard !partitions.isEmpty else { return .success(PartitionResults()) }
        return NativeTopicPartitionList.withList(partitions.map { TopicPartitionOffset($0, offset: end.rawValue) }) { list in
            let err = rd_kafka_offsets_for_times(client, list, timeout.librdkafkaRequestMilliseconds)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                return .failure(KafkaError(code: err, context: "\(end == .latest ? "high" : "low") watermarks"))
            }
            return .success(results(of: list, context: "\(end == .latest ? "high" : "low") watermark"))
        }
    }

    /// The offsets of an answered native list: an element with an error becomes a failure naming its
    /// partition; one without keeps its offset unless that is a logical one (negative: none known).
    private static func results(of list: NativeTopicPartitionList.Pointer, context: String) -> PartitionResults<Int64> {
        var results = PartitionResults<Int64>()
        let elements = NativeTopicPartitionList.elements(of: list)
        results.values.reserveCapacity(elements.count)
        for element in elements {
            let partition = TopicPartition(element)
            if element.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                results.failures.append((partition, KafkaError(code: element.err, context: "\(context) of \(partition)")))
            } else if element.offset >= 0 {
                results.values[partition] = element.offset
            }
        }
        return results
    }
}
