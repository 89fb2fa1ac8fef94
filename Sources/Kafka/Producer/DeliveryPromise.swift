import Synchronization

/// Carries one `KafkaProducer.send` continuation through librdkafka as the message's opaque pointer.
///
/// Lifetime: `send` retains the promise once (`Unmanaged.passRetained`) and hands the raw pointer to
/// `rd_kafka_produceva` as the per-message opaque. librdkafka emits exactly one delivery report for every
/// message it accepted (success, failure, timeout or purge), and the delivery report callback takes that
/// retain back (`takeRetainedValue`) and resumes the continuation. If `rd_kafka_produceva` rejects the
/// message, librdkafka never saw the pointer and `send` releases it itself.
///
/// Every waiter gets an answer: a promise is registered in `PendingSends` while its message is in
/// librdkafka's hands, and `KafkaProducer.close()` fails whatever is still registered after purging and
/// flushing, before the handle is destroyed — a report librdkafka never delivered must not leave a
/// `send` (and a dead-letter partition behind it) suspended forever. The continuation is resumed exactly
/// once, by whichever comes first; a report that still arrives later finds it resumed and only gives
/// back the retain. (A report that never arrives leaves that retain, one small object, behind.)
final class DeliveryPromise: Sendable {
    let topic: String
    private let continuation: Mutex<UnsafeContinuation<Result<TopicPartitionOffset, KafkaError>, Never>?>
    private let registry: PendingSends

    init(topic: String, registry: PendingSends, continuation: UnsafeContinuation<Result<TopicPartitionOffset, KafkaError>, Never>) {
        self.topic = topic
        self.registry = registry
        self.continuation = Mutex(continuation)
    }

    /// Resumes the waiting `send`, if nobody did yet. Called by the delivery report, by `send` when the
    /// message was never enqueued, or by the close for a report that never came.
    func complete(_ result: Result<TopicPartitionOffset, KafkaError>) {
        guard let continuation = continuation.withLock({ $0.take() }) else { return }
        registry.remove(self)
        continuation.resume(returning: result)
    }
}

/// The `send` calls whose messages librdkafka holds, so that the close can answer every one of them.
final class PendingSends: Sendable {
    private let promises = Mutex<[ObjectIdentifier: DeliveryPromise]>([:])

    func add(_ promise: DeliveryPromise) {
        promises.withLock { $0[ObjectIdentifier(promise)] = promise }
    }

    func remove(_ promise: DeliveryPromise) {
        _ = promises.withLock { $0.removeValue(forKey: ObjectIdentifier(promise)) }
    }

    var count: Int { promises.withLock { $0.count } }

    /// Completes every registered promise with `error`. - Returns: how many there were.
    @discardableResult
    func failAll(_ error: KafkaError) -> Int {
        let all = promises.withLock { promises in
            defer { promises.removeAll() }
            return Array(promises.values)
        }
        for promise in all { promise.complete(.failure(error)) }
        return all.count
    }
}
