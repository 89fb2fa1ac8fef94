/// Carries one `KafkaProducer.send` continuation through librdkafka as the message's opaque pointer.
///
/// Lifetime: `send` retains the promise once (`Unmanaged.passRetained`) and hands the raw pointer to
/// `rd_kafka_produceva` as the per-message opaque. librdkafka emits exactly one delivery report for every
/// message it accepted (success, failure, timeout or purge), and the delivery report callback takes that
/// retain back (`takeRetainedValue`) and resumes the continuation. If `rd_kafka_produceva` rejects the
/// message, librdkafka never saw the pointer and `send` releases it itself. `KafkaProducer.close()`
/// purges and drains the queue before destroying the handle, so no report, and no promise, is left behind.
final class DeliveryPromise: Sendable {
    let topic: String
    private let continuation: UnsafeContinuation<Result<TopicPartitionOffset, KafkaError>, Never>

    init(topic: String, continuation: UnsafeContinuation<Result<TopicPartitionOffset, KafkaError>, Never>) {
        self.topic = topic
        self.continuation = continuation
    }

    /// Resumes the waiting `send`. Called exactly once: by the delivery report, or by `send` when the
    /// message was never enqueued.
    func complete(_ result: Result<TopicPartitionOffset, KafkaError>) {
        continuation.resume(returning: result)
    }
}
