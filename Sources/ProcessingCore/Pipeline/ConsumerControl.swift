import Kafka

/// The requests the pipeline makes of the consumer. `KafkaConsumer` is the real one; the protocol
/// exists so that the pipeline's ordering and retry logic can be unit-tested on its own.
///
/// Every method only queues a request (thread-safe, non-blocking); the consumer applies them in order on
/// its poll thread, and applies all queued requests before it gives a partition up.
public protocol ConsumerControl: Sendable {
    func storeOffsets(_ offsets: [TopicPartitionOffset])
    func pause(_ partitions: [TopicPartition])
    func resume(_ partitions: [TopicPartition])
}

extension KafkaConsumer: ConsumerControl {}
