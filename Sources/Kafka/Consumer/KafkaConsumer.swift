import Logging

// API CONTRACT STUB — the Kafka helper replaces the bodies with the real implementation.
// The processing pipeline is written against these signatures; change them only together with it.

/// A consumer-group member over librdkafka's high-level consumer.
public final class KafkaConsumer: Sendable {
    /// What to consume and how, beyond the librdkafka properties.
    public struct Options: Sendable {
        /// Topics to subscribe to.
        public var topics: [String]
        /// Start every partition assigned in this run at its earliest offset (once per partition per run),
        /// regardless of committed offsets.
        public var readFromBeginning: Bool
        /// Most records handed to the delegate in one `didReceive` call.
        public var maxBatchSize: Int

        public init(topics: [String], readFromBeginning: Bool = false, maxBatchSize: Int = 1024) {
            self.topics = topics
            self.readFromBeginning = readFromBeginning
            self.maxBatchSize = maxBatchSize
        }
    }

    /// Creates the native consumer (validating `configuration`) without connecting or subscribing.
    /// The consumer forces `enable.auto.offset.store=false`: only offsets passed to `storeOffsets` are committed.
    public init(
        configuration: KafkaConfiguration,
        options: Options,
        delegate: any KafkaConsumerDelegate,
        logger: Logger
    ) throws(KafkaError) {
        fatalError("stub")
    }

    /// Subscribes and runs the poll thread until `close()` completes or a fatal error occurs.
    /// Returns after the consumer left the group and the native handle was destroyed.
    public func run() async throws(KafkaError) { fatalError("stub") }

    /// Number of partitions of `topic`, asking the brokers (blocking work runs off the cooperative pool).
    /// - Throws: `.timedOut` when no broker answered, `.unknownTopic` when the topic does not exist.
    public func partitionCount(of topic: String, timeout: Duration) async throws(KafkaError) -> Int { fatalError("stub") }

    /// Requests that these offsets (next offset to read) be stored for commit. Thread-safe; applied on
    /// the poll thread in request order. Stores for partitions no longer assigned are dropped.
    public func storeOffsets(_ offsets: [TopicPartitionOffset]) { fatalError("stub") }

    /// Requests that fetching these partitions stop (records already delivered stay valid). Thread-safe.
    public func pause(_ partitions: [TopicPartition]) { fatalError("stub") }

    /// Requests that fetching resume after the last delivered record. Thread-safe.
    public func resume(_ partitions: [TopicPartition]) { fatalError("stub") }

    /// Requests an asynchronous commit of the stored offsets (used when `enable.auto.commit=false`).
    public func commit() { fatalError("stub") }

    /// Stops delivering records: from now on nothing more reaches the delegate's `didReceive`.
    public func stopDelivery() { fatalError("stub") }

    /// Begins the graceful close: applies pending requests, revokes the assignment (calling the
    /// delegate's `willRevoke`, whose offsets are stored and committed), leaves the group.
    /// Non-blocking; `run()` returns once the close finished.
    public func close() { fatalError("stub") }
}
