import CRdKafka

/// What the consumer's close learnt about its final commit: the positions the close's revoke stored
/// (the next offset to read, per partition) and what the brokers answered for them.
///
/// Why it exists: the final commit happens inside `rd_kafka_consumer_close`, and its result arrives
/// only through the offset-commit callback; without this record a failed final commit was one warning
/// among librdkafka's connection errors, and the shutdown looked clean although those events will be
/// delivered again. Poll-thread state (see `ConsumerPollLoop.finalCommit`).
struct FinalCommitRecord: Sendable {
    /// Positions stored by the close's revoke, to be committed by it.
    private(set) var expected: [TopicPartition: Int64] = [:]
    /// Partitions whose commit failed, with the error.
    private(set) var failed: [TopicPartition: String] = [:]
    /// Partitions the brokers confirmed at or past the expected position.
    private(set) var confirmed: Set<TopicPartition> = []

    mutating func expect(_ offsets: [TopicPartitionOffset]) {
        for entry in offsets { expected[entry.topicPartition] = entry.offset }
    }

    /// An offset-commit result (callback or synchronous commit) that arrived during the close.
    mutating func record(result code: rd_kafka_resp_err_t, offsets: NativeTopicPartitionList.Pointer) {
        for element in NativeTopicPartitionList.elements(of: offsets) {
            let partition = TopicPartition(element)
            let err = element.err != RD_KAFKA_RESP_ERR_NO_ERROR ? element.err : code
            if err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET {
                failed[partition] = nil
                confirmed.insert(partition)
            } else {
                failed[partition] = KafkaError(code: err).description
            }
        }
    }

    /// A synchronous commit that failed as a whole (no per-partition results).
    mutating func recordFailure(_ error: KafkaError) {
        for partition in expected.keys where !confirmed.contains(partition) {
            failed[partition] = error.description
        }
    }

    /// The expected positions whose commit failed, as `topic[partition]@offset`, sorted.
    var uncommitted: [String] {
        failed.keys.compactMap { partition in expected[partition].map { "\(partition)@\($0)" } }.sorted()
    }

    /// The distinct errors of the failed partitions.
    var errors: [String] { Array(Set(failed.values)).sorted() }
}
