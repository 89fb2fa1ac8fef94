import CRdKafka

/// A native producer handle (`rd_kafka_t`) and its main queue. `@unchecked Sendable`: librdkafka's
/// produce, poll, flush and yield calls are thread-safe; `ProducerCore` guarantees that nobody uses the
/// handle after the poll thread destroyed it.
struct NativeProducerHandle: @unchecked Sendable {
    let client: OpaquePointer
    /// The main queue (`rd_kafka_queue_get_main`): delivery reports and errors arrive here. Held only to
    /// `rd_kafka_queue_yield` it, which wakes the poll thread out of `rd_kafka_poll` at once.
    let mainQueue: OpaquePointer
}

/// The producer's shared state, guarded by `ProducerCore.state`.
struct ProducerState {
    enum Phase: Equatable {
        /// Accepting messages.
        case open
        /// `close()` was called: no new messages; the poll thread flushes, then destroys the handle.
        case closing
        /// The handle was destroyed.
        case closed
    }

    /// A `flush(timeout:)` call waiting for the queue to drain.
    struct FlushWaiter {
        let deadline: ContinuousClock.Instant
        let continuation: UnsafeContinuation<Result<Void, KafkaError>, Never>
    }

    var phase = Phase.open
    /// Valid while `phase != .closed`.
    var handle: NativeProducerHandle?
    var flushWaiters: [FlushWaiter] = []
    /// `send` calls that found the queue full, resumed after the poll thread served delivery reports.
    var spaceWaiters: [UnsafeContinuation<Void, Never>] = []
    /// `close()` calls waiting for the handle to be destroyed.
    var closeWaiters: [UnsafeContinuation<Void, Never>] = []
    /// Native calls running without the lock (`enqueueWaitingForSpace`'s flush); the poll thread
    /// destroys the handle only once this is 0.
    var callsInFlight = 0
    /// How long the close may wait for outstanding messages before purging them.
    var closeFlushTimeout = Duration.seconds(30)
}
