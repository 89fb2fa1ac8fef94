import CRdKafka

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
