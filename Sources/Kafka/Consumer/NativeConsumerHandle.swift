import CRdKafka
import Logging

/// The native consumer: an `rd_kafka_t` of type consumer, its consumer queue and the callback context
/// that librdkafka's callbacks reach through the configuration opaque.
///
/// Ownership: exactly one party destroys it, exactly once (see `ConsumerStateMachine.Lifecycle`): the poll
/// thread after `rd_kafka_consumer_close`, or `KafkaConsumer.deinit` when `run()` was never called.
/// `@unchecked Sendable` because it is a bundle of pointers whose thread rules that state machine enforces;
/// librdkafka itself is thread-safe for the calls made from other threads (`rd_kafka_queue_yield`, metadata).
struct NativeConsumerHandle: @unchecked Sendable {
    /// `rd_kafka_t *`
    let client: OpaquePointer
    /// `rd_kafka_queue_t *` of the consumer group queue, into which `rd_kafka_poll_set_consumer` also
    /// forwards the main queue, so that one `rd_kafka_consumer_poll` call serves messages,
    /// rebalances, errors and commit results on the poll thread.
    let queue: OpaquePointer
    /// +1 retained for librdkafka's opaque; released after `rd_kafka_destroy` returned, because librdkafka
    /// may still log (from its own threads) until then.
    let callbackContext: Unmanaged<ConsumerCallbackContext>

    /// Validates the configuration, creates the native consumer and redirects the main queue to the
    /// consumer queue. Does not connect, subscribe or start any poll.
    static func make(
        settings: ConsumerSettings,
        callbackContext context: ConsumerCallbackContext
    ) throws(KafkaError) -> NativeConsumerHandle {
        let conf = try settings.configuration.makeNativeConfiguration()
        let retainedContext = Unmanaged.passRetained(context)
        rd_kafka_conf_set_opaque(conf, retainedContext.toOpaque())
        ConsumerCallbackContext.install(on: conf)

        let client: OpaquePointer
        do {
            client = try makeNativeClient(RD_KAFKA_CONSUMER, conf: conf, purpose: "consumer")
        } catch {
            retainedContext.release()
            throw error
        }
        let redirect = rd_kafka_poll_set_consumer(client)
        guard redirect == RD_KAFKA_RESP_ERR_NO_ERROR, let queue = rd_kafka_queue_get_consumer(client) else {
            rd_kafka_destroy_flags(client, Int32(RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE))
            retainedContext.release()
            throw KafkaError(code: redirect, context: "cannot set up the consumer queue (is group.id set?)")
        }
        return NativeConsumerHandle(client: client, queue: queue, callbackContext: retainedContext)
    }

    /// The value librdkafka runs with for a configuration property (defaults included), or nil for an
    /// unknown name.
    func configurationValue(_ name: String) -> String? {
        guard let conf = rd_kafka_conf(client) else { return nil }
        var size = 0
        guard rd_kafka_conf_get(conf, name, nil, &size) == RD_KAFKA_CONF_OK, size > 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: size)
        guard rd_kafka_conf_get(conf, name, &buffer, &size) == RD_KAFKA_CONF_OK else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Wakes the poll thread from `rd_kafka_consumer_poll`. Safe from any thread while the handle lives.
    func wakePollThread() {
        rd_kafka_queue_yield(queue)
    }

    /// Destroys the native consumer. The caller must have closed it with `rd_kafka_consumer_close`
    /// (`wasClosed`), or never subscribed it. Blocks until librdkafka's threads have ended.
    func destroy(wasClosed: Bool) {
        rd_kafka_queue_destroy(queue)
        if wasClosed {
            rd_kafka_destroy(client)
        } else {
            // Never subscribed: nothing to leave. Skipping the implicit close also guarantees that no
            // rebalance or error callback runs on the destroying thread.
            rd_kafka_destroy_flags(client, Int32(RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE))
        }
        callbackContext.release()
    }
}
