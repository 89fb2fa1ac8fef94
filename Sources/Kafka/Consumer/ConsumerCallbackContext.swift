import CRdKafka

/// What librdkafka's C callbacks reach through the configuration opaque (`rd_kafka_conf_set_opaque`).
///
/// Lifetime: `NativeConsumerHandle.make` retains it once for librdkafka before `rd_kafka_new`, and
/// `NativeConsumerHandle.destroy` releases that retain after `rd_kafka_destroy` returned, so every
/// callback librdkafka can make finds it alive.
///
/// Threads: the log callback runs on librdkafka's internal threads (and on whatever thread calls
/// `rd_kafka_new`/`rd_kafka_destroy`), so it only touches the immutable, `Sendable` log bridge. The
/// rebalance, error and offset-commit callbacks are queued to the consumer queue and run on the poll
/// thread inside `rd_kafka_consumer_poll` or `rd_kafka_consumer_close`; they go to `pollLoop`,
/// whose state is confined to that thread.
final class ConsumerCallbackContext: @unchecked Sendable {
    let logBridge: LibrdkafkaLogBridge
    /// Set once by `KafkaConsumer.init` right after the handle was created, before the poll thread
    /// exists (thread creation orders the write before every read); read only on the poll thread.
    var pollLoop: ConsumerPollLoop?

    init(logBridge: LibrdkafkaLogBridge) {
        self.logBridge = logBridge
    }

    /// Registers the C callbacks on a native configuration. The callbacks are plain functions (no
    /// captures): everything they need comes through the opaque.
    static func install(on conf: OpaquePointer) {
        rd_kafka_conf_set_log_cb(conf, logCallback)
        rd_kafka_conf_set_error_cb(conf, errorCallback)
        rd_kafka_conf_set_rebalance_cb(conf, rebalanceCallback)
        rd_kafka_conf_set_offset_commit_cb(conf, offsetCommitCallback)
        rd_kafka_conf_set_stats_cb(conf, consumerStatisticsCallback)
    }

    fileprivate static func from(_ opaque: UnsafeMutableRawPointer?) -> ConsumerCallbackContext? {
        opaque.map { Unmanaged<ConsumerCallbackContext>.fromOpaque($0).takeUnretainedValue() }
    }
}

private func logCallback(
    client: OpaquePointer?, level: Int32,
    facility: UnsafePointer<CChar>?, message: UnsafePointer<CChar>?
) {
    guard let client, let context = ConsumerCallbackContext.from(rd_kafka_opaque(client)) else { return }
    context.logBridge.log(client: client, syslogLevel: level, facility: facility, message: message)
}

private func errorCallback(
    client: OpaquePointer?, code: Int32, reason: UnsafePointer<CChar>?, opaque: UnsafeMutableRawPointer?
) {
    guard let client, let pollLoop = ConsumerCallbackContext.from(opaque)?.pollLoop else { return }
    pollLoop.handleError(
        client: client,
        code: rd_kafka_resp_err_t(rawValue: code),
        reason: reason.map { String(cString: $0) }
    )
}

private func rebalanceCallback(
    client: OpaquePointer?, code: rd_kafka_resp_err_t,
    partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, opaque: UnsafeMutableRawPointer?
) {
    guard let client else { return }
    guard let pollLoop = ConsumerCallbackContext.from(opaque)?.pollLoop, let partitions else {
        // Cannot happen (the context is set before any poll); librdkafka's default behaviour keeps the
        // group protocol moving rather than leaving the member stuck mid-rebalance.
        if code == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS { rd_kafka_assign(client, partitions) }
        else { rd_kafka_assign(client, nil) }
        return
    }
    pollLoop.handleRebalance(client: client, code: code, partitions: partitions)
}

private func offsetCommitCallback(
    client: OpaquePointer?, code: rd_kafka_resp_err_t,
    offsets: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, opaque: UnsafeMutableRawPointer?
) {
    guard let pollLoop = ConsumerCallbackContext.from(opaque)?.pollLoop else { return }
    pollLoop.handleCommitResult(code: code, offsets: offsets)
}
