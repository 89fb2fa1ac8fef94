import CRdKafka
import Logging
import Synchronization

/// What the producer's C callbacks reach through the configuration opaque (`rd_kafka_conf_set_opaque`).
///
/// Lifetime: `ProducerCore` retains it once for librdkafka before `rd_kafka_new` and releases that retain
/// after `rd_kafka_destroy` returned, so every callback librdkafka can make finds it alive.
///
/// Threads: the log callback runs on librdkafka's internal threads; the delivery report and error
/// callbacks run inside `rd_kafka_poll`/`rd_kafka_flush`, on the poll thread or on a thread blocked in
/// `KafkaProducer.produce` waiting for queue space. So everything here is immutable or atomic.
final class ProducerCallbackContext: Sendable {
    let logBridge: LibrdkafkaLogBridge
    let logger: Logger
    /// Messages acknowledged by the brokers (delivery report without error).
    let delivered = Atomic<Int>(0)
    /// Messages that failed for good (delivery report with an error, after librdkafka's own retries).
    let failed = Atomic<Int>(0)

    init(logger: Logger) {
        self.logger = logger
        self.logBridge = LibrdkafkaLogBridge(logger: logger)
    }

    /// Registers the C callbacks on a native configuration. The callbacks are plain functions (no
    /// captures): everything they need comes through the opaques.
    static func install(on conf: OpaquePointer) {
        rd_kafka_conf_set_dr_msg_cb(conf, deliveryReportCallback)
        rd_kafka_conf_set_error_cb(conf, errorCallback)
        rd_kafka_conf_set_log_cb(conf, logCallback)
    }

    fileprivate static func from(_ opaque: UnsafeMutableRawPointer?) -> ProducerCallbackContext? {
        opaque.map { Unmanaged<ProducerCallbackContext>.fromOpaque($0).takeUnretainedValue() }
    }

    /// A message of `produce` (no one awaits it) failed: count it, and log the first failure and then
    /// every 10,000th so that a broker outage cannot flood the log with one line per message.
    fileprivate func recordUnawaitedFailure(_ error: KafkaError, topicPartition: TopicPartition) {
        let count = failed.add(1, ordering: .relaxed).newValue
        if count == 1 || count % 10_000 == 0 {
            logger.error(
                "Message delivery failed",
                metadata: ["error": "\(error)", "topic": "\(topicPartition.topic)",
                           "partition": "\(topicPartition.partition)", "failed_total": "\(count)"]
            )
        }
    }
}

private func deliveryReportCallback(
    client: OpaquePointer?, message: UnsafePointer<rd_kafka_message_t>?, opaque: UnsafeMutableRawPointer?
) {
    guard let message, let context = ProducerCallbackContext.from(opaque) else { return }
    let report = message.pointee
    let succeeded = report.err == RD_KAFKA_RESP_ERR_NO_ERROR
    // `_private` is the per-message opaque: a retained DeliveryPromise for `send`, NULL for `produce`.
    if let promiseOpaque = report._private {
        let promise = Unmanaged<DeliveryPromise>.fromOpaque(promiseOpaque).takeRetainedValue()
        let topicPartition = TopicPartition(topic: promise.topic, partition: report.partition)
        if succeeded {
            context.delivered.add(1, ordering: .relaxed)
            promise.complete(.success(TopicPartitionOffset(topicPartition, offset: report.offset)))
        } else {
            context.failed.add(1, ordering: .relaxed)
            promise.complete(.failure(KafkaError(code: report.err, context: "delivery to \(topicPartition)")))
        }
    } else if succeeded {
        context.delivered.add(1, ordering: .relaxed)
    } else {
        let topic = report.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "?"
        let topicPartition = TopicPartition(topic: topic, partition: report.partition)
        context.recordUnawaitedFailure(KafkaError(code: report.err, context: "delivery to \(topicPartition)"), topicPartition: topicPartition)
    }
}

private func errorCallback(
    client: OpaquePointer?, code: Int32, reason: UnsafePointer<CChar>?, opaque: UnsafeMutableRawPointer?
) {
    guard let client, let context = ProducerCallbackContext.from(opaque) else { return }
    var error = KafkaError(
        code: rd_kafka_resp_err_t(rawValue: code), context: "producer", reason: reason.map { String(cString: $0) }
    )
    if error.code == RD_KAFKA_RESP_ERR__FATAL.rawValue {
        // The generic __FATAL code hides the cause: ask librdkafka for the original error.
        var buffer = [CChar](repeating: 0, count: 512)
        let original = rd_kafka_fatal_error(client, &buffer, buffer.count)
        let text = buffer.withUnsafeBufferPointer { $0.baseAddress.map { String(cString: $0) } } ?? ""
        error = KafkaError(code: original, context: "producer (fatal)", reason: text)
        error.kind = .fatal
        context.logger.critical("Producer failed fatally; it cannot send any more", metadata: ["error": "\(error)"])
        return
    }
    // librdkafka reconnects and retries on its own: these are worth knowing, not acting on. A lost
    // connection is already logged by librdkafka itself (facility FAIL), so it is not repeated above debug.
    let level: Logger.Level = error.code == RD_KAFKA_RESP_ERR__TRANSPORT.rawValue ? .debug : .warning
    context.logger.log(level: level, "Producer error", metadata: ["error": "\(error)"])
}

private func logCallback(
    client: OpaquePointer?, level: Int32,
    facility: UnsafePointer<CChar>?, message: UnsafePointer<CChar>?
) {
    guard let client, let context = ProducerCallbackContext.from(rd_kafka_opaque(client)) else { return }
    context.logBridge.log(client: client, syslogLevel: level, facility: facility, message: message)
}
