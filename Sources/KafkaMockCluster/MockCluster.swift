import CRdKafka
import Kafka
import Synchronization

/// An in-process Kafka cluster from librdkafka's mock broker (`rdkafka_mock.h`): real Kafka protocol on
/// ephemeral loopback ports, with fault injection. Any client in any process can connect to
/// `bootstrapServers`. The data lives in memory of this process, so it exists only as long as the cluster.
///
/// Brokers are numbered `1...brokerCount`.
///
/// Thread safety: librdkafka's mock API posts each command to the cluster's own thread and waits for it,
/// so the calls are safe from any thread; this type only serialises them against `close()` so that no call
/// can ever reach a destroyed cluster.
///
/// Limits of librdkafka 2.0.2's mock (see the facts file): no CreateTopics/DeleteTopics over the wire,
/// each partition keeps at most ~5 MiB or 100k message sets (older data is trimmed silently).
public final class MockCluster: Sendable {
    /// The native handles, valid until `close()`. `rd_kafka_mock_cluster_new` needs a client instance
    /// (for its logging and timers); that instance is owned here and destroyed only after the cluster.
    private struct Handles: @unchecked Sendable {
        let client: OpaquePointer
        let cluster: OpaquePointer
    }

    private let handles: Mutex<Handles?>

    /// Number of brokers; their ids are `1...brokerCount`.
    public let brokerCount: Int

    /// Comma-separated `host:port` list of the brokers, for `bootstrap.servers`.
    public let bootstrapServers: String

    /// Starts `brokers` mock brokers on ephemeral 127.0.0.1 ports.
    /// - Parameter configuration: properties of the client instance hosting the cluster (e.g. `log_level`).
    /// - Throws: `.configuration` for an invalid property or broker count, `.other` when librdkafka fails.
    public init(brokers: Int = 1, configuration: KafkaConfiguration = KafkaConfiguration()) throws(KafkaError) {
        guard brokers >= 1, brokers <= Int(Int32.max) else {
            throw KafkaError(kind: .configuration, message: "a mock cluster needs at least one broker, got \(brokers)")
        }
        let conf = try configuration.makeNativeConfiguration()
        let client = try makeNativeClient(RD_KAFKA_PRODUCER, conf: conf, purpose: "mock cluster's client instance")
        guard let cluster = rd_kafka_mock_cluster_new(client, Int32(brokers)) else {
            rd_kafka_destroy(client)
            throw KafkaError(kind: .other, message: "rd_kafka_mock_cluster_new failed for \(brokers) broker(s)")
        }
        // The returned string is owned by the cluster: copy it while the cluster is alive.
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
        self.brokerCount = brokers
        self.handles = Mutex(Handles(client: client, cluster: cluster))
    }

    deinit {
        close()
    }

    /// Stops the brokers and frees the data. Idempotent; every later call throws `.closed`.
    public func close() {
        handles.withLock { handles in
            guard let current = handles else { return }
            handles = nil
            // Order matters: the cluster uses the client instance until it is destroyed.
            rd_kafka_mock_cluster_destroy(current.cluster)
            rd_kafka_destroy(current.client)
        }
    }

    /// Creates a topic. Creating an existing topic is an error (`TOPIC_ALREADY_EXISTS`).
    public func createTopic(name: String, partitions: Int, replicationFactor: Int = 1) throws(KafkaError) {
        guard partitions >= 1, partitions <= Int(Int32.max) else {
            throw KafkaError(kind: .configuration, message: "topic \(name): partitions must be at least 1, got \(partitions)")
        }
        guard replicationFactor >= 1, replicationFactor <= brokerCount else {
            throw KafkaError(
                kind: .configuration,
                message: "topic \(name): replication factor must be 1...\(brokerCount), got \(replicationFactor)"
            )
        }
        try perform("create topic \(name)") { cluster in
            rd_kafka_mock_topic_create(cluster, name, Int32(partitions), Int32(replicationFactor))
        }
    }

    /// Takes a broker down: its connections are closed and new ones refused until `setBrokerUp`.
    public func setBrokerDown(_ brokerID: Int32) throws(KafkaError) {
        try checkBroker(brokerID)
        try perform("broker \(brokerID) down") { rd_kafka_mock_broker_set_down($0, brokerID) }
    }

    /// Brings a broker taken down with `setBrokerDown` back.
    public func setBrokerUp(_ brokerID: Int32) throws(KafkaError) {
        try checkBroker(brokerID)
        try perform("broker \(brokerID) up") { rd_kafka_mock_broker_set_up($0, brokerID) }
    }

    /// Delays every response of a broker by `milliseconds` (0 removes the delay).
    public func setBrokerRTT(_ brokerID: Int32, milliseconds: Int) throws(KafkaError) {
        try checkBroker(brokerID)
        guard milliseconds >= 0, milliseconds <= Int(Int32.max) else {
            throw KafkaError(kind: .configuration, message: "round-trip time must be 0 or more milliseconds, got \(milliseconds)")
        }
        try perform("broker \(brokerID) rtt") { rd_kafka_mock_broker_set_rtt($0, brokerID, Int32(milliseconds)) }
    }

    /// Makes the next `errors.count` requests of the Kafka protocol API `apiKey` (e.g. 0 = Produce,
    /// 1 = Fetch, 8 = OffsetCommit, 11 = JoinGroup, 12 = Heartbeat, 14 = SyncGroup), to any broker, fail
    /// with these Kafka error codes, in order. Code 0 lets that request through.
    public func pushRequestErrors(apiKey: Int16, errors: [Int32]) throws(KafkaError) {
        guard !errors.isEmpty else { return }
        let codes = errors.map { rd_kafka_resp_err_t(rawValue: $0) }
        try withCluster { cluster in
            codes.withUnsafeBufferPointer { buffer in
                // The `_array` form: the variadic rd_kafka_mock_push_request_errors does not import into Swift.
                rd_kafka_mock_push_request_errors_array(cluster, apiKey, buffer.count, buffer.baseAddress)
            }
        }
    }

    /// Drops the errors pushed with `pushRequestErrors` for `apiKey` that have not been used yet.
    public func clearRequestErrors(apiKey: Int16) throws(KafkaError) {
        try withCluster { rd_kafka_mock_clear_request_errors($0, apiKey) }
    }

    /// Makes `brokerID` the coordinator of consumer group `group`.
    public func setCoordinator(group: String, brokerID: Int32) throws(KafkaError) {
        try checkBroker(brokerID)
        try perform("coordinator of group \(group)") { rd_kafka_mock_coordinator_set($0, "group", group, brokerID) }
    }

    /// Makes `brokerID` the leader of a partition; `nil` leaves the partition without a leader.
    public func setPartitionLeader(topic: String, partition: Int32, brokerID: Int32?) throws(KafkaError) {
        if let brokerID { try checkBroker(brokerID) }
        try perform("leader of \(topic)[\(partition)]") {
            rd_kafka_mock_partition_set_leader($0, topic, partition, brokerID ?? -1)
        }
    }

    /// Makes metadata for `topic` report the Kafka error `errorCode` (0 clears it).
    public func setTopicError(topic: String, errorCode: Int32) throws(KafkaError) {
        try withCluster { rd_kafka_mock_topic_set_error($0, topic, rd_kafka_resp_err_t(rawValue: errorCode)) }
    }

    // MARK: - Helpers

    private func checkBroker(_ brokerID: Int32) throws(KafkaError) {
        guard brokerID >= 1, Int(brokerID) <= brokerCount else {
            throw KafkaError(kind: .configuration, message: "no broker \(brokerID): broker ids are 1...\(brokerCount)")
        }
    }

    /// Runs `body` with the live cluster, holding the lock so that `close()` cannot destroy it meanwhile.
    private func withCluster<Result>(_ body: (OpaquePointer) -> Result) throws(KafkaError) -> Result {
        try handles.withLock { (handles) throws(KafkaError) -> Result in
            guard let current = handles else {
                throw KafkaError(kind: .closed, message: "the mock cluster was closed")
            }
            return body(current.cluster)
        }
    }

    /// Runs a mock command that answers with a librdkafka error code, mapping failure to `KafkaError`.
    private func perform(_ what: String, _ body: (OpaquePointer) -> rd_kafka_resp_err_t) throws(KafkaError) {
        let result = try withCluster(body)
        if result != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(code: result, context: what)
        }
    }
}
