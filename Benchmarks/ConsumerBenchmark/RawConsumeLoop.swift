import CRdKafka
import Foundation

/// The benchmark's baseline: the plainest at-least-once-shaped consumer librdkafka allows.
///
/// It is the C loop of the facts file transcribed: subscribe, poll, count, no decoding, librdkafka's own
/// offset store (`enable.auto.offset.store=true`, the default) with auto-commit; then one synchronous commit
/// and `rd_kafka_consumer_close`. Anything the service does on top of this is what the benchmark charges it.
final class RawConsumeLoop {
    private let handle: OpaquePointer

    init(brokers: String, topic: String, group: String, commitIntervalMs: Int) throws {
        handle = try NativeClient.consumer([
            "bootstrap.servers": brokers,
            "group.id": group,
            "enable.auto.commit": "true",
            "enable.auto.offset.store": "true",
            "auto.commit.interval.ms": String(commitIntervalMs),
            "auto.offset.reset": "earliest",
            // The mock cluster delays any re-join by session.timeout.ms - 1 s; keep it short as the service does.
            "session.timeout.ms": "6000",
        ])
        // Route the main queue (rebalances, errors) into the consumer queue so one poll serves both.
        rd_kafka_poll_set_consumer(handle)

        let subscription = rd_kafka_topic_partition_list_new(1)
        defer { rd_kafka_topic_partition_list_destroy(subscription) }
        rd_kafka_topic_partition_list_add(subscription, topic, RD_KAFKA_PARTITION_UA)
        let error = rd_kafka_subscribe(handle, subscription)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            rd_kafka_destroy(handle)
            throw LibrdkafkaError("subscribe to \(topic)", error)
        }
    }

    deinit {
        rd_kafka_destroy(handle)
    }

    /// Consumes until `count` messages arrived, commits synchronously and closes the consumer.
    /// - Parameters:
    ///   - count: messages to consume.
    ///   - batchSize: 0 for `rd_kafka_consumer_poll` (one message per call), else the buffer size
    ///     of `rd_kafka_consume_batch_queue` on the consumer queue.
    ///   - autoCommitGrace: how long to leave librdkafka's auto-commit timer (which runs on its own thread
    ///     and needs no polling) to commit the last stored offsets before the explicit synchronous commit.
    /// - Returns: the number of messages consumed (≥ `count`; a batch may overshoot).
    func consume(count: Int, batchSize: Int, autoCommitGrace: Duration) throws -> Int {
        let consumed = batchSize == 0 ? pollOneByOne(count: count) : pollBatches(count: count, batchSize: batchSize)
        if autoCommitGrace > .zero {
            // Slightly more than one interval: the timer's next tick is at most one interval away.
            usleep(useconds_t(autoCommitGrace.milliseconds * 1000 + 20_000))
        }
        let commitError = rd_kafka_commit(handle, nil, 0)
        // _NO_OFFSET: nothing new to commit since the last auto-commit, which is success here.
        guard commitError == RD_KAFKA_RESP_ERR_NO_ERROR || commitError == RD_KAFKA_RESP_ERR__NO_OFFSET else {
            throw LibrdkafkaError("final commit", commitError)
        }
        let closeError = rd_kafka_consumer_close(handle)
        guard closeError == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw LibrdkafkaError("consumer close", closeError)
        }
        return consumed
    }

    private func pollOneByOne(count: Int) -> Int {
        var consumed = 0
        while consumed < count {
            guard let message = rd_kafka_consumer_poll(handle, 100) else { continue }
            // Errors (e.g. a transient broker error) are events, not messages: not counted.
            if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR { consumed += 1 }
            rd_kafka_message_destroy(message)
        }
        return consumed
    }

    private func pollBatches(count: Int, batchSize: Int) -> Int {
        let queue = rd_kafka_queue_get_consumer(handle)
        defer { rd_kafka_queue_destroy(queue) }
        let messages = UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>.allocate(capacity: batchSize)
        defer { messages.deallocate() }
        var consumed = 0
        while consumed < count {
            let received = rd_kafka_consume_batch_queue(queue, 100, messages, batchSize)
            guard received > 0 else { continue }
            for index in 0..<received {
                guard let message = messages[index] else { continue }
                if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR { consumed += 1 }
                rd_kafka_message_destroy(message)
            }
        }
        return consumed
    }
}
