import CRdKafka
import Logging
import Synchronization

/// The producer's engine: the native handle, its state and the dedicated poll thread.
///
/// Ownership: only the poll thread destroys the handle (once, at the end of `runPollThread`). Every other
/// use of the handle happens while holding `state` and checking the phase, so it cannot race the destroy.
/// The poll thread keeps this object alive until the handle is gone, even if the `KafkaProducer` that
/// owns it was released without `close()`.
final class ProducerCore: Sendable {
    let state: Mutex<ProducerState>
    let context: ProducerCallbackContext
    /// The `send` calls waiting for a delivery report (see `DeliveryPromise`).
    let pendingSends = PendingSends()
    private let handle: NativeProducerHandle
    private let logger: Logger

    /// How long one `rd_kafka_poll` waits when nothing happens. Only an idle bound: delivery reports wake
    /// the poll at once, and requests (flush, close) wake it with `rd_kafka_queue_yield`.
    private static let idlePollMilliseconds: Int32 = 100

    /// - Parameter startThread: starts the poll thread (and, if that fails, the thread that destroys the
    ///   handle); tests pass one that fails.
    init(
        configuration: KafkaConfiguration, logger: Logger, startThread: DedicatedThread.Starter = DedicatedThread.start(name:_:)
    ) throws(KafkaError) {
        var configuration = configuration
        if configuration["log_level"] == nil {
            // librdkafka then does not even format lines the logger would drop.
            configuration["log_level"] = String(LibrdkafkaLogBridge.syslogLevel(for: logger.logLevel))
        }
        let conf = try configuration.makeNativeConfiguration()
        let context = ProducerCallbackContext(logger: logger)
        let contextOpaque = Unmanaged.passRetained(context).toOpaque()
        rd_kafka_conf_set_opaque(conf, contextOpaque)
        ProducerCallbackContext.install(on: conf)
        let client: OpaquePointer
        do {
            client = try makeNativeClient(RD_KAFKA_PRODUCER, conf: conf, purpose: "producer")
        } catch {
            Unmanaged<ProducerCallbackContext>.fromOpaque(contextOpaque).release()
            throw error
        }
        guard let mainQueue = rd_kafka_queue_get_main(client) else {
            rd_kafka_destroy(client)
            Unmanaged<ProducerCallbackContext>.fromOpaque(contextOpaque).release()
            throw KafkaError(kind: .other, message: "producer: librdkafka has no main queue")
        }
        self.handle = NativeProducerHandle(client: client, mainQueue: mainQueue)
        self.context = context
        self.logger = logger
        var initialState = ProducerState()
        initialState.handle = handle
        self.state = Mutex(initialState)

        guard startThread("kafka-producer", { [self] in runPollThread() }) else {
            // The handle was never used, but rd_kafka_destroy still joins librdkafka's threads: not on this
            // thread, which may be the cooperative pool's (`KafkaProducer.init` is called from tasks).
            DedicatedThread.startOrRunHere(name: "kafka-destroy", using: startThread) { [self] in destroyHandle() }
            throw KafkaError(kind: .other, message: "producer: could not start the poll thread")
        }
    }

    // MARK: - Producing (any thread)

    /// What became of one `rd_kafka_produceva` attempt.
    enum EnqueueOutcome {
        case enqueued
        case queueFull
        case failed(KafkaError)
    }

    /// Hands one message to librdkafka (copying key, value and headers), without blocking.
    /// - Parameter opaque: the per-message opaque the delivery report will carry (a retained
    ///   `DeliveryPromise` or nil); if the outcome is not `.enqueued`, librdkafka did not keep it.
    func enqueue(_ record: ProducerRecord, opaque: UnsafeMutableRawPointer?) -> EnqueueOutcome {
        state.withLock { state in
            guard state.phase == .open, let handle = state.handle else {
                return .failed(KafkaError(kind: .closed, message: "producer is closed"))
            }
            return Self.produce(record, opaque: opaque, on: handle)
        }
    }

    /// Like `enqueue`, but when the queue is full serves delivery reports on this thread (freeing room)
    /// and tries again, blocking the calling thread until the message is queued or the producer closes.
    func enqueueWaitingForSpace(_ record: ProducerRecord) -> EnqueueOutcome {
        while true {
            let attempt = state.withLock { state -> (EnqueueOutcome, NativeProducerHandle?) in
                guard state.phase == .open, let handle = state.handle else {
                    return (.failed(KafkaError(kind: .closed, message: "producer is closed")), nil)
                }
                let outcome = Self.produce(record, opaque: nil, on: handle)
                guard case .queueFull = outcome else { return (outcome, nil) }
                // Counted, so the poll thread does not destroy the handle while the flush below runs
                // without the lock (holding it made every send, flush and close wait behind the flush).
                state.callsInFlight += 1
                return (outcome, handle)
            }
            guard let handle = attempt.1 else { return attempt.0 }
            // A full queue cannot batch any better: flush sends what waits for `linger.ms` now and serves
            // delivery reports on this thread until room frees up; bounded (10 ms) so that a close waits
            // at most that for this call to end.
            rd_kafka_flush(handle.client, 10)
            state.withLock { $0.callsInFlight -= 1 }
        }
    }

    private static func produce(_ record: ProducerRecord, opaque: UnsafeMutableRawPointer?, on handle: NativeProducerHandle) -> EnqueueOutcome {
        let error = record.withProduceArguments(opaque: opaque) { arguments in
            rd_kafka_produceva(handle.client, arguments.baseAddress, arguments.count)
        }
        guard let error else { return .enqueued }
        let code = rd_kafka_error_code(error)
        let isFatal = rd_kafka_error_is_fatal(error) != 0
        let reason = rd_kafka_error_string(error).map { String(cString: $0) }
        rd_kafka_error_destroy(error)
        if code == RD_KAFKA_RESP_ERR__QUEUE_FULL { return .queueFull }
        var kafkaError = KafkaError(code: code, context: "produce to \(record.topic)", reason: reason)
        if isFatal { kafkaError.kind = .fatal }
        return .failed(kafkaError)
    }

    /// Suspends until the poll thread has served delivery reports again (queue space may have freed up),
    /// or the producer is closing.
    func waitForQueueSpace() async {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let waiting = state.withLock { state in
                guard state.phase == .open else { return false }
                state.spaceWaiters.append(continuation)
                return true
            }
            if !waiting { continuation.resume() }
        }
    }

    // MARK: - Requests to the poll thread

    func flush(timeout: Duration) async -> Result<Void, KafkaError> {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        return await withUnsafeContinuation { continuation in
            let accepted = state.withLock { state in
                guard state.phase == .open, let handle = state.handle else { return false }
                state.flushWaiters.append(.init(deadline: deadline, continuation: continuation))
                rd_kafka_queue_yield(handle.mainQueue)
                return true
            }
            if !accepted {
                continuation.resume(returning: .failure(KafkaError(kind: .closed, message: "producer is closed")))
            }
        }
    }

    /// Starts the close (if not started) and, with a continuation, waits for the handle to be destroyed.
    func requestClose(flushTimeout: Duration, waiter: UnsafeContinuation<Void, Never>?) {
        let alreadyClosed = state.withLock { state in
            guard state.phase != .closed, let handle = state.handle else { return true }
            if state.phase == .open {
                state.phase = .closing
                state.closeFlushTimeout = flushTimeout
            }
            if let waiter { state.closeWaiters.append(waiter) }
            rd_kafka_queue_yield(handle.mainQueue)
            return false
        }
        if alreadyClosed { waiter?.resume() }
    }

    // MARK: - The poll thread

    /// Serves delivery reports until close is requested, then flushes, purges what is left, and destroys
    /// the handle. Runs on the dedicated thread for the producer's whole life.
    private func runPollThread() {
        let client = handle.client
        while true {
            rd_kafka_poll(client, Self.idlePollMilliseconds)
            let (spaceWaiters, hasFlushWaiters, closing) = state.withLock { state in
                defer { state.spaceWaiters.removeAll() }
                return (state.spaceWaiters, !state.flushWaiters.isEmpty, state.phase != .open)
            }
            for waiter in spaceWaiters { waiter.resume() }
            if closing { break }
            if hasFlushWaiters { serveFlushWaiters() }
        }
        closeHandle()
    }

    /// Flushes in slices of at most the idle poll interval, so that waiters with different deadlines are
    /// answered on time and a close request is noticed. `rd_kafka_flush` also sends messages waiting for
    /// `linger.ms` at once and serves delivery reports.
    private func serveFlushWaiters() {
        while true {
            let now = ContinuousClock.now
            let (drained, expired, remaining, closing, spaceWaiters) = state.withLock { state in
                let drained = rd_kafka_outq_len(handle.client) == 0
                var expired: [ProducerState.FlushWaiter] = []
                if drained {
                    expired = state.flushWaiters
                    state.flushWaiters.removeAll()
                } else {
                    expired = state.flushWaiters.filter { $0.deadline <= now }
                    state.flushWaiters.removeAll { $0.deadline <= now }
                }
                defer { state.spaceWaiters.removeAll() }
                return (drained, expired, state.flushWaiters.map(\.deadline).min(), state.phase != .open, state.spaceWaiters)
            }
            for waiter in spaceWaiters { waiter.resume() }
            for waiter in expired {
                waiter.continuation.resume(returning: drained ? .success(()) : .failure(Self.flushTimedOut(outstanding: rd_kafka_outq_len(handle.client))))
            }
            guard let nearest = remaining, !closing else { return }
            let slice = min(nearest - now, .milliseconds(Int(Self.idlePollMilliseconds)))
            rd_kafka_flush(handle.client, slice.librdkafkaMilliseconds)
        }
    }

    /// The end of the poll thread: deliver or fail every outstanding message, then destroy the handle.
    private func closeHandle() {
        let client = handle.client
        let flushTimeout = state.withLock { $0.closeFlushTimeout }
        if rd_kafka_flush(client, flushTimeout.librdkafkaMilliseconds) != RD_KAFKA_RESP_ERR_NO_ERROR {
            let outstanding = rd_kafka_outq_len(client)
            logger.warning(
                "Producer closing: messages not delivered in time are failed",
                metadata: ["outstanding": "\(outstanding)", "flush_timeout": "\(flushTimeout)"]
            )
            // Purged messages get delivery reports (__PURGE_QUEUE / __PURGE_INFLIGHT), which the next flush
            // serves: every awaiting `send` is resumed, and no DeliveryPromise stays retained.
            rd_kafka_purge(client, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
            rd_kafka_flush(client, Self.purgeReportTimeout.librdkafkaMilliseconds)
        }
        let undelivered = rd_kafka_outq_len(client)
        if undelivered > 0 {
            logger.error("Producer closing: delivery reports still missing after purging", metadata: ["outstanding": "\(undelivered)"])
        }
        let waiters = state.withLock { state in
            state.phase = .closed
            defer {
                state.flushWaiters.removeAll()
                state.spaceWaiters.removeAll()
                state.closeWaiters.removeAll()
            }
            return (state.flushWaiters, state.spaceWaiters, state.closeWaiters)
        }
        // `produce` calls flushing without the lock (at most 10 ms each) end before the handle goes;
        // no new one starts now that the phase is closed. Polling serves their reports meanwhile.
        while state.withLock({ $0.callsInFlight }) > 0 {
            rd_kafka_poll(client, 1)
        }
        state.withLock { $0.handle = nil }
        // Every `send` whose report did not come gets an answer before the handle is destroyed.
        let unanswered = pendingSends.failAll(
            KafkaError(kind: .closed, message: "producer closed before the message's delivery was reported"))
        if unanswered > 0 {
            logger.error("Producer closing: sends without a delivery report were failed", metadata: ["sends": "\(unanswered)"])
        }
        destroyHandle()
        for waiter in waiters.0 {
            waiter.continuation.resume(returning: undelivered == 0 ? .success(()) : .failure(Self.flushTimedOut(outstanding: undelivered)))
        }
        for waiter in waiters.1 { waiter.resume() }
        for waiter in waiters.2 { waiter.resume() }
    }

    /// Destroys the native handle and gives back librdkafka's retain of the callback context.
    /// Called exactly once: by the poll thread at its end, or (on a thread of its own) by `init` when the
    /// poll thread could not start.
    private func destroyHandle() {
        rd_kafka_queue_destroy(handle.mainQueue)
        rd_kafka_destroy(handle.client)
        // The +1 retain taken for librdkafka in `init`.
        Unmanaged.passUnretained(context).release()
    }

    /// How long the close serves the reports of purged messages (librdkafka makes them at once, locally).
    static let purgeReportTimeout: Duration = .milliseconds(500)

    private static func flushTimedOut(outstanding: Int32) -> KafkaError {
        KafkaError(kind: .timedOut, code: RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue, message: "flush timed out with \(outstanding) message(s) outstanding")
    }
}
