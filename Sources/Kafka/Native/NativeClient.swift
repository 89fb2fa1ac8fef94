import CRdKafka

/// Creates a native client instance (`rd_kafka_t`) from a native configuration: the one place that calls
/// `rd_kafka_new` (consumer, producer, offset client, mock cluster), so that its ownership rule and its
/// error text are handled once.
///
/// Ownership: on success `rd_kafka_new` has taken `conf` and the caller owns the returned handle (to be
/// released with `rd_kafka_destroy`, exactly once). On failure `conf` is destroyed here.
package func makeNativeClient(_ type: rd_kafka_type_t, conf: OpaquePointer, purpose: String) throws(KafkaError) -> OpaquePointer {
    var errorBuffer = [CChar](repeating: 0, count: 512)
    guard let client = rd_kafka_new(type, conf, &errorBuffer, errorBuffer.count) else {
        rd_kafka_conf_destroy(conf)
        let reason = errorBuffer.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { String(cString: $0) } ?? "unknown reason"
        }
        throw KafkaError(kind: .configuration, message: "creating the \(purpose) failed: \(reason)")
    }
    return client
}
