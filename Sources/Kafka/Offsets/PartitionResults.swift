/// What one request about several partitions answered: a value for each partition the brokers answered,
/// and an error for each they could not (unknown topic, no leader, ...).
///
/// Why both: the same native request serves a strict caller, which wants all or nothing and a failure
/// that names the partition (`KafkaOffsetClient`, the dead-letter replay), and a lenient one, which keeps
/// whatever answered (the consumer monitor: one leaderless partition must not blank the lag of the rest).
struct PartitionResults<Value: Sendable>: Sendable {
    /// The answered partitions. A partition can be in neither map (e.g. no committed offset).
    var values: [TopicPartition: Value] = [:]
    /// The partitions that failed, in the order they were asked.
    var failures: [(partition: TopicPartition, error: KafkaError)] = []

    /// All values, or the first failure (in request order), whose message names the partition.
    var strict: Result<[TopicPartition: Value], KafkaError> {
        if let first = failures.first { return .failure(first.error) }
        return .success(values)
    }
}
