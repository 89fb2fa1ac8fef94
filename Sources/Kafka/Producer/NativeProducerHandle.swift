/// A native producer handle (`rd_kafka_t`) and its main queue. `@unchecked Sendable`: librdkafka's
/// produce, poll, flush and yield calls are thread-safe; `ProducerCore` guarantees that nobody uses the
/// handle after the poll thread destroyed it.
struct NativeProducerHandle: @unchecked Sendable {
    let client: OpaquePointer
    /// The main queue (`rd_kafka_queue_get_main`): delivery reports and errors arrive here. Held only to
    /// `rd_kafka_queue_yield` it, which wakes the poll thread out of `rd_kafka_poll` at once.
    let mainQueue: OpaquePointer
}
