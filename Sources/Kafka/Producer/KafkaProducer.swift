import CRdKafka
import Logging

/// A Kafka producer over librdkafka.
///
/// - `send(_:)` suspends until the brokers acknowledged the message (or it failed for good) and returns
///   where it was written: for messages that must not be lost, like dead letters.
/// - `produce(_:)` hands the message over and returns at once: for high-volume publishing, with
///   `flush(timeout:)` to wait for everything handed over.
///
/// Delivery reports are served on a dedicated thread (never Swift's cooperative pool), which blocks in
/// `rd_kafka_poll` and is woken at once by reports, flushes and `close()`. Reliability settings come from
/// the configuration the caller passes, e.g. `enable.idempotence=true` and `acks=all` for no loss and no
/// duplicates from retries; `message.timeout.ms` bounds how long librdkafka retries a message.
///
/// Call `close()` when done: it delivers what is outstanding and destroys the native handle. A producer
/// released without `close()` closes itself in the background.
public final class KafkaProducer: Sendable {
    private let core: ProducerCore

    /// Creates the native producer; it connects to the brokers lazily, on the first message.
    /// - Parameters:
    ///   - configuration: librdkafka properties (`bootstrap.servers`, `acks`, `linger.ms`, ...).
    ///   - logger: receives librdkafka's log lines and producer errors. Unless `log_level` is configured,
    ///     librdkafka logs only at the logger's level and above.
    /// - Throws: `.configuration` for an unknown property or invalid value.
    public init(configuration: KafkaConfiguration, logger: Logger) throws(KafkaError) {
        self.core = try ProducerCore(configuration: configuration, logger: logger)
    }

    deinit {
        core.requestClose(flushTimeout: .seconds(30), waiter: nil)
    }

    /// Publishes `record` and returns its partition and offset once the brokers acknowledged it.
    ///
    /// When librdkafka's queue is full, waits for room (backpressure). Once handed to librdkafka, the
    /// message is delivered or fails on librdkafka's terms (`message.timeout.ms`, `retries`); task
    /// cancellation does not recall it, so this waits for that outcome even when cancelled. With
    /// `acks=0` the offset is -1 (the broker reports none).
    /// - Throws: the delivery error (`.timedOut` for `__MSG_TIMED_OUT`, `.unknownTopic`, ...), `.closed`
    ///   after `close()`, `.fatal` when the producer failed fatally (idempotence violated).
    public func send(_ record: ProducerRecord) async throws(KafkaError) -> TopicPartitionOffset {
        while true {
            let result = await withUnsafeContinuation { (continuation: UnsafeContinuation<Result<TopicPartitionOffset, KafkaError>, Never>) in
                // See DeliveryPromise for who releases this retain, and why it is registered first.
                let promise = Unmanaged.passRetained(
                    DeliveryPromise(topic: record.topic, registry: core.pendingSends, continuation: continuation))
                core.pendingSends.add(promise.takeUnretainedValue())
                switch core.enqueue(record, opaque: promise.toOpaque()) {
                case .enqueued:
                    break
                case .queueFull:
                    promise.takeRetainedValue().complete(.failure(KafkaError(code: RD_KAFKA_RESP_ERR__QUEUE_FULL)))
                case let .failed(error):
                    promise.takeRetainedValue().complete(.failure(error))
                }
            }
            if case let .failure(error) = result, error.code == RD_KAFKA_RESP_ERR__QUEUE_FULL.rawValue {
                await core.waitForQueueSpace()
                continue
            }
            return try result.get()
        }
    }

    /// Hands `record` to librdkafka and returns without waiting for the brokers (fire and forget).
    ///
    /// Failed deliveries are counted in `failedDeliveryCount` and logged (the first, then every 10,000th).
    /// When librdkafka's queue is full (`queue.buffering.max.messages` / `.kbytes`), this blocks the calling
    /// thread, serving delivery reports, until there is room: call it from a dedicated thread or a plain
    /// synchronous loop, not from a task on the cooperative pool.
    /// - Throws: `.closed` after `close()`; errors librdkafka reports at once (unknown partition, message
    ///   too large, fatal state).
    public func produce(_ record: ProducerRecord) throws(KafkaError) {
        if case let .failed(error) = core.enqueueWaitingForSpace(record) {
            throw error
        }
    }

    /// Waits until every message handed over so far was delivered or failed. Messages waiting for
    /// `linger.ms` are sent at once.
    /// - Throws: `.timedOut` when messages are still outstanding after `timeout`; `.closed` after `close()`.
    public func flush(timeout: Duration) async throws(KafkaError) {
        try await core.flush(timeout: timeout).get()
    }

    /// Stops accepting messages, waits up to `flushTimeout` for outstanding ones, fails the rest (their
    /// `send` calls throw: purged, or `.closed` when librdkafka gave no report within
    /// `ProducerCore.purgeReportTimeout` of the purge), and destroys the native handle. Returns within
    /// `flushTimeout` plus that half second. Idempotent: later calls wait for the same close.
    public func close(flushTimeout: Duration = .seconds(30)) async {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            core.requestClose(flushTimeout: flushTimeout, waiter: continuation)
        }
    }

    /// Messages the brokers acknowledged so far.
    public var deliveredCount: Int { core.context.delivered.load(ordering: .relaxed) }

    /// Messages that failed for good so far (after librdkafka's retries).
    public var failedDeliveryCount: Int { core.context.failed.load(ordering: .relaxed) }
}
