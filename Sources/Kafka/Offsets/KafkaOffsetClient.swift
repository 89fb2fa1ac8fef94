import CRdKafka

/// Reads offsets from outside a consumer group: topic metadata, partition watermarks and a group's
/// committed offsets. Used by the dead-letter replay (to know where a run starts and ends) and by tests
/// (to check delivery guarantees from outside the service).
///
/// It owns a librdkafka consumer handle with the group's `group.id` that never subscribes, so it never
/// joins the group and never disturbs a rebalance: `committedOffsets` only sends an OffsetFetch to the
/// group's coordinator. The handle never commits (`enable.auto.commit` is forced off).
///
/// Inside a running consumer (e.g. the lag of its paused partitions), ask the consumer instead: its
/// `watermarks(of:timeout:)` and `committedOffsets(of:timeout:)` are these same requests, with the same
/// answers, sent on the consumer's own handle (no second connection); `partitionOffsets(of:...)` is the
/// lenient combination for observers.
///
/// Every request is a blocking librdkafka call, made on a dedicated thread while the calling task is
/// suspended, so no cooperative-pool thread ever blocks. Thread-safe: calls may overlap.
public final class KafkaOffsetClient: Sendable {
    /// `rd_kafka_t *`, valid until `deinit`. Each request keeps `self` alive while it runs.
    private struct Handle: @unchecked Sendable {
        let client: OpaquePointer
    }

    private let handle: Handle

    /// Creates the handle (validating `configuration`) without connecting.
    /// - Parameter configuration: connection properties (`bootstrap.servers`, security) and, for
    ///   `committedOffsets`, the `group.id` whose offsets are read.
    /// - Throws: `.configuration` for an unknown property or invalid value.
    public init(configuration: KafkaConfiguration) throws(KafkaError) {
        var configuration = configuration
        // This handle must never commit anything on a group's behalf, even when destroyed.
        configuration["enable.auto.commit"] = "false"
        // librdkafka's consumer type needs a group.id even when no group is used.
        if configuration["group.id"] == nil { configuration["group.id"] = "kafka-offset-client" }
        let conf = try configuration.makeNativeConfiguration()
        handle = Handle(client: try makeNativeClient(RD_KAFKA_CONSUMER, conf: conf, purpose: "offset client"))
    }

    deinit {
        // rd_kafka_destroy joins librdkafka's threads: keep it off whatever (maybe cooperative) thread
        // released the last reference. Never subscribed, so there is no group to leave.
        let handle = self.handle
        DedicatedThread.startOrRunHere(name: "kafka-destroy") {
            rd_kafka_destroy_flags(handle.client, Int32(RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE))
        }
    }

    /// The partition count of `topic` and the names of all topics of the cluster, from one metadata request.
    /// - Throws: `.unknownTopic` when the topic does not exist, `.timedOut` when no broker answered.
    package func describe(topic: String, timeout: Duration) async throws(KafkaError) -> TopicMetadataQuery.Description {
        try await request("describe") { client in
            TopicMetadataQuery.describe(client: client, topic: topic, timeout: timeout)
        }
    }

    /// The number of partitions of `topic`.
    /// - Throws: `.unknownTopic` when the topic does not exist, `.timedOut` when no broker answered.
    public func partitionCount(of topic: String, timeout: Duration = .seconds(30)) async throws(KafkaError) -> Int {
        try await describe(topic: topic, timeout: timeout).partitionCount
    }

    /// Low and high watermarks of each partition, asked of the partition leaders (one ListOffsets request
    /// per leader for the low ones, one for the high ones).
    /// - Parameter timeout: per request; a hang bound (answers take milliseconds).
    /// - Throws: the error of the first partition (in `partitions` order) that failed, naming it, or the
    ///   request's error (`.timedOut` et al.).
    public func watermarks(
        of partitions: [TopicPartition], timeout: Duration = .seconds(30)
    ) async throws(KafkaError) -> [TopicPartition: PartitionWatermarks] {
        try await request("watermarks") { client in
            NativeOffsetQueries.watermarks(client: client, partitions: partitions, timeout: timeout).flatMap(\.strict)
        }
    }

    /// The committed offsets (next offset to read) of the configured `group.id`; partitions the group
    /// never committed are absent.
    /// - Throws: `.timedOut` or the coordinator's error when it does not answer within `timeout`, the error
    ///   of the first partition that failed, naming it.
    public func committedOffsets(
        of partitions: [TopicPartition], timeout: Duration = .seconds(30)
    ) async throws(KafkaError) -> [TopicPartition: Int64] {
        try await request("committed") { client in
            NativeOffsetQueries.committedOffsets(client: client, partitions: partitions, timeout: timeout).flatMap(\.strict)
        }
    }

    /// Runs one blocking request on a dedicated thread; `self` (and so the handle) lives until it returned.
    private func request<Success: Sendable>(
        _ what: String, _ body: @escaping @Sendable (OpaquePointer) -> Result<Success, KafkaError>
    ) async throws(KafkaError) -> Success {
        try await DedicatedThread.run(name: "kafka-\(what)") { [self] in body(handle.client) }.get()
    }
}
