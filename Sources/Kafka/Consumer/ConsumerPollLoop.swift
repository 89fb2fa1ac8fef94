import CRdKafka
import Logging

/// The consumer's poll thread: the only thread that polls, (un)assigns, stores offsets, pauses, resumes,
/// commits and closes, and the only thread that calls the delegate.
///
/// Each iteration first applies the requests other threads queued (in order), then polls the consumer
/// with `rd_kafka_consumer_poll` (the first message bounded by `pollTimeoutMilliseconds`, the rest
/// of the batch without waiting; a queued request cuts the wait short through `rd_kafka_queue_yield`),
/// copies the messages into `KafkaRecord`s (one shared byte arena per partition run, see `RecordBytes`),
/// destroys the native messages and hands the batch to the delegate. Rebalance, error and commit
/// callbacks run inside that poll call, on this same thread (see `ConsumerPollLoop+Rebalance.swift`).
///
/// After each batch the loop reads the consumer queue's length; when a queue that had filled up has
/// drained, it wakes librdkafka's fetchers (`FetchWakeup`), which librdkafka 2.0.2 would otherwise leave
/// idle for up to a second.
///
/// Requests are applied on the poll thread, never concurrently with a poll: librdkafka 2.0 documents
/// pause, resume, seek and rebalancing in parallel with consuming as unsafe (2.0.0 release notes).
///
/// `@unchecked Sendable`: the mutable state below is touched only by the poll thread; the object is
/// handed to that thread once, when it starts.
final class ConsumerPollLoop: @unchecked Sendable {
    static let pollTimeoutMilliseconds: Int32 = 100

    let handle: NativeConsumerHandle
    let state: ConsumerState
    let delegate: any KafkaConsumerDelegate
    let options: KafkaConsumer.Options
    let commitMode: ConsumerSettings.CommitMode
    let logger: Logger

    // Poll-thread state.
    /// The consumer the delegate is told about; set for the duration of `run`.
    private(set) var consumer: KafkaConsumer?
    /// Set by the error callback when librdkafka raised a fatal error; ends the loop.
    var fatalError: KafkaError?
    /// Partitions already started at their beginning in this run (`Options.readFromBeginning`).
    var partitionsStartedFromBeginning: Set<TopicPartition> = []
    /// Whether a revoke ran inside the current poll call (the batch is then checked against the assignment).
    var revokedDuringPoll = false
    /// Whether an assignment callback ever ran in this run (see `ConsumerPollLoop+Close`: before it, a
    /// cooperative-sticky consumer must not be destroyed in the middle of its group join).
    var hasBeenAssigned = false
    /// What the close learnt about the final commit (see `ConsumerPollLoop+Close`); nil before the close.
    var finalCommit: FinalCommitRecord?
    private var recordReader = NativeRecordReader()
    /// The messages of the batch being delivered that carry data (kept to reuse its capacity).
    private var deliverable: [UnsafeMutablePointer<rd_kafka_message_t>] = []
    /// Wakes librdkafka's fetchers after the prefetch queue filled up (see `FetchWakeup`).
    let fetchWakeup: FetchWakeup
    private var fetchWakeupPolicy: FetchWakeupPolicy
    /// Whether the configured strategy is cooperative only (the fallback when librdkafka cannot say).
    let configuredCooperative: Bool

    init(
        handle: NativeConsumerHandle,
        state: ConsumerState,
        delegate: any KafkaConsumerDelegate,
        options: KafkaConsumer.Options,
        commitMode: ConsumerSettings.CommitMode,
        logger: Logger
    ) {
        self.handle = handle
        self.state = state
        self.delegate = delegate
        self.options = options
        self.commitMode = commitMode
        self.logger = logger
        self.fetchWakeup = FetchWakeup(client: handle.client, state: state, logger: logger)
        self.configuredCooperative = handle.configurationValue("partition.assignment.strategy")?
            .split(separator: ",").allSatisfy { $0.trimmingPrefix(" ") == "cooperative-sticky" } ?? true
        // librdkafka 2.0.2's defaults, used only if the values cannot be read back.
        self.fetchWakeupPolicy = FetchWakeupPolicy(
            queuedMinMessages: handle.configurationValue("queued.min.messages").flatMap { Int($0) } ?? 100_000,
            queuedMaxBytes: (handle.configurationValue("queued.max.messages.kbytes").flatMap { Int($0) } ?? 65_536) * 1024)
    }

    /// Runs on the poll thread: subscribes, polls until close is requested or a fatal error occurs,
    /// closes the consumer (revoking the assignment) and destroys the handle.
    /// - Returns: the outcome for `run()`, handed to its continuation after the handle was destroyed.
    func run(consumer: KafkaConsumer) {
        self.consumer = consumer
        var failure: KafkaError?
        if !state.withLock({ $0.isCloseRequested }) {
            failure = subscribe()
        }
        if failure == nil {
            pollUntilClosed()
        }
        let closed = close()
        self.consumer = nil

        let outcome: Result<Void, KafkaError>
        if let error = fatalError ?? failure {
            outcome = .failure(error)
        } else {
            outcome = .success(())
        }
        let completion: ConsumerStateMachine.RunCompletion
        switch state.withLock({ $0.closeFinished() }) {
        case .destroyHandle(let runCompletion):
            completion = runCompletion
        case .waitForNativeCalls:
            logger.debug("Waiting for in-flight metadata requests before destroying the consumer")
            completion = state.waitUntilDrained()
        }
        switch closed {
        case .closed:
            handle.destroy(wasClosed: true)
            logger.debug("Consumer destroyed")
        case .leftUndestroyed(let reason):
            // See `CloseOutcome`: destroying would crash or block; the process is about to exit.
            logger.notice("Consumer closed without destroying its native handle", metadata: ["reason": "\(reason)"])
        }
        completion(outcome)
    }

    private func subscribe() -> KafkaError? {
        let err = NativeTopicPartitionList.withList(
            options.topics.map { TopicPartition(topic: $0, partition: RD_KAFKA_PARTITION_UA) }
        ) { rd_kafka_subscribe(handle.client, $0) }
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            return KafkaError(code: err, context: "subscribe to \(options.topics)")
        }
        logger.info("Subscribed", metadata: ["topics": "\(options.topics.joined(separator: ","))"])
        return nil
    }

    private func pollUntilClosed() {
        let batchSize = max(1, options.maxBatchSize)
        let messages = UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>.allocate(capacity: batchSize)
        defer { messages.deallocate() }
        while fatalError == nil {
            state.observations.recordPoll()
            applyPendingRequests()
            if state.withLock({ $0.isCloseRequested }) { return }
            revokedDuringPoll = false
            let count = pollBatch(into: messages, capacity: batchSize)
            let batch = UnsafeMutableBufferPointer(start: messages, count: count)
            let bytes = Self.payloadBytes(of: batch)
            if count > 0 {
                deliver(batch)
            }
            // After the delegate returned: the queue length is then what the next poll starts from.
            let queued = Int(rd_kafka_queue_length(handle.queue))
            if fetchWakeupPolicy.observe(messages: count, bytes: bytes, queueLength: queued) {
                fetchWakeup.wake()
            }
        }
    }

    /// Polls up to `capacity` messages: waits up to `pollTimeoutMilliseconds` for the first, then takes
    /// what is already queued without waiting.
    ///
    /// Why `rd_kafka_consumer_poll` one message at a time and not `rd_kafka_consume_batch_queue`: in
    /// librdkafka 2.0.2 the batch API intermittently skips offsets when a partition is paused or resumed
    /// (fixed in 2.1.0, see its changelog), and librdkafka pauses and resumes partitions itself during
    /// rebalances. The rebalance fault test lost 50–80 events per moved partition that way, on
    /// partitions the member kept. The single-message call has no such bug and costs a few nanoseconds
    /// more per message; it serves rebalance, error and commit callbacks on this thread the same way.
    private func pollBatch(
        into messages: UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>, capacity: Int
    ) -> Int {
        guard let first = rd_kafka_consumer_poll(handle.client, Self.pollTimeoutMilliseconds) else { return 0 }
        messages[0] = first
        var count = 1
        while count < capacity, let next = rd_kafka_consumer_poll(handle.client, 0) {
            messages[count] = next
            count += 1
        }
        return count
    }

    /// Payload and key bytes of a polled batch (what librdkafka's queue limits count, roughly).
    private static func payloadBytes(
        of messages: UnsafeMutableBufferPointer<UnsafeMutablePointer<rd_kafka_message_t>?>
    ) -> Int {
        var bytes = 0
        for case let message? in messages {
            bytes &+= message.pointee.len &+ message.pointee.key_len
        }
        return bytes
    }

    /// Copies the polled messages into records, destroys every native message, and hands the records to
    /// the delegate (unless delivery was stopped).
    private func deliver(_ messages: UnsafeMutableBufferPointer<UnsafeMutablePointer<rd_kafka_message_t>?>) {
        let shouldDeliver = !state.withLock { $0.isDeliveryStopped }
        // librdkafka purges messages of partitions revoked during the poll call; this check is a cheap
        // second line of defence, paid only for the batches in which a revoke happened.
        let assignment: Set<TopicPartition>? = revokedDuringPoll ? state.withLock { $0.assignment } : nil
        var records: [KafkaRecord] = []
        if shouldDeliver { records.reserveCapacity(messages.count) }
        // A local for the loop: appending to the stored property would check exclusive access (a
        // runtime call) for every message.
        var deliverable = self.deliverable
        self.deliverable = []
        deliverable.removeAll(keepingCapacity: true)
        for case let message? in messages {
            guard message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                handleConsumerError(message)
                continue
            }
            if shouldDeliver { deliverable.append(message) }
        }
        recordReader.appendRecords(of: deliverable, to: &records)
        self.deliverable = deliverable
        for case let message? in messages { rd_kafka_message_destroy(message) }
        var droppedForRevokedPartitions = 0
        if let assignment {
            let before = records.count
            records.removeAll { !assignment.contains($0.topicPartition) }
            droppedForRevokedPartitions = before - records.count
        }
        if droppedForRevokedPartitions > 0 {
            logger.debug("Dropped records of revoked partitions", metadata: ["count": "\(droppedForRevokedPartitions)"])
        }
        if !records.isEmpty, let consumer {
            delegate.consumer(consumer, didReceive: records)
        }
    }

    /// A message that carries an error instead of data (consumer errors are delivered this way).
    private func handleConsumerError(_ message: UnsafeMutablePointer<rd_kafka_message_t>) {
        let code = message.pointee.err
        if code == RD_KAFKA_RESP_ERR__PARTITION_EOF { return }  // informational, only with enable.partition.eof
        let reason = rd_kafka_message_errstr(message).map { String(cString: $0) }
        if code == RD_KAFKA_RESP_ERR__FATAL {
            // Fatal consumer errors (e.g. a fenced static member) arrive as error messages, not (only)
            // through the error callback.
            handleError(client: handle.client, code: code, reason: reason)
            return
        }
        var error = KafkaError(code: code, reason: reason)
        if let topicHandle = message.pointee.rkt {
            error.message = "\(String(cString: rd_kafka_topic_name(topicHandle)))[\(message.pointee.partition)]: \(error.message)"
        }
        report(error)
    }

    // MARK: Requests

    /// Applies every queued request, in request order. Consecutive stores go to librdkafka as one list.
    func applyPendingRequests() {
        let requests = state.withLock { $0.takeRequests() }
        guard !requests.isEmpty else { return }
        var stores: [TopicPartitionOffset] = []
        for request in requests {
            switch request {
            case .storeOffsets(let offsets):
                stores.append(contentsOf: offsets)
            case .pause(let partitions):
                storeNow(&stores)
                pauseNow(partitions)
            case .resume(let partitions):
                storeNow(&stores)
                resumeNow(partitions)
            case .commit:
                storeNow(&stores)
                commitNow(asynchronously: true)
            }
        }
        storeNow(&stores)
    }

    /// Stores offsets (next offset to read) for commit. Offsets of partitions not assigned any more are
    /// dropped: storing them would be refused (`__STATE`) and they belong to another member now.
    func storeNow(_ offsets: inout [TopicPartitionOffset]) {
        guard !offsets.isEmpty else { return }
        defer { offsets.removeAll(keepingCapacity: true) }
        let assigned = state.withLock { $0.filterAssigned(offsets) }
        if assigned.count < offsets.count {
            logger.debug("Dropped offset stores of unassigned partitions", metadata: ["count": "\(offsets.count - assigned.count)"])
        }
        guard !assigned.isEmpty else { return }
        // The last store of a partition wins, as it would if applied one by one.
        var latest: [TopicPartition: Int64] = [:]
        latest.reserveCapacity(assigned.count)
        for entry in assigned { latest[entry.topicPartition] = entry.offset }
        NativeTopicPartitionList.withList(latest.map { TopicPartitionOffset($0.key, offset: $0.value) }) { list in
            guard rd_kafka_offsets_store(handle.client, list) != RD_KAFKA_RESP_ERR_NO_ERROR else { return }
            for element in NativeTopicPartitionList.elements(of: list) where element.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                switch element.err {
                case RD_KAFKA_RESP_ERR__STATE, RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
                    // Revoked or lost meanwhile (librdkafka knows before we do): a dropped store, not an error.
                    logger.debug("Dropped offset store", metadata: ["partition": "\(TopicPartition(element))"])
                default:
                    report(KafkaError(code: element.err, context: "store offset \(TopicPartition(element))@\(element.offset)"))
                }
            }
        }
    }

    private func pauseNow(_ partitions: [TopicPartition]) {
        let toPause = state.withLock { $0.markPaused(partitions) }
        guard !toPause.isEmpty else { return }
        NativeTopicPartitionList.withList(toPause) { list in
            reportPartitionErrors(rd_kafka_pause_partitions(handle.client, list), list, context: "pause")
        }
    }

    private func resumeNow(_ partitions: [TopicPartition]) {
        let toResume = state.withLock { $0.markResumed(partitions) }
        guard !toResume.isEmpty else { return }
        NativeTopicPartitionList.withList(toResume) { list in
            reportPartitionErrors(rd_kafka_resume_partitions(handle.client, list), list, context: "resume")
        }
    }

    /// Commits the stored offsets of the current assignment. The asynchronous form reports its result
    /// through the offset-commit callback on this thread.
    func commitNow(asynchronously: Bool) {
        let err = rd_kafka_commit(handle.client, nil, asynchronously ? 1 : 0)
        switch err {
        case RD_KAFKA_RESP_ERR_NO_ERROR, RD_KAFKA_RESP_ERR__NO_OFFSET:
            break  // __NO_OFFSET: nothing stored since the last commit
        default:
            let error = KafkaError(code: err, context: "commit")
            finalCommit?.recordFailure(error)
            report(error)
        }
    }

    private func reportPartitionErrors(
        _ err: rd_kafka_resp_err_t, _ list: NativeTopicPartitionList.Pointer, context: String
    ) {
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { report(KafkaError(code: err, context: context)) }
        for element in NativeTopicPartitionList.elements(of: list) where element.err != RD_KAFKA_RESP_ERR_NO_ERROR {
            report(KafkaError(code: element.err, context: "\(context) \(TopicPartition(element))"))
        }
    }

    // MARK: Errors

    /// Logs a non-fatal error and tells the delegate.
    func report(_ error: KafkaError) {
        logger.warning("Kafka consumer error", metadata: ["error": "\(error)", "kind": "\(error.kind)"])
        state.observations.recordError(error)
        if let consumer {
            delegate.consumer(consumer, didEncounter: error)
        }
    }

    /// Error callback (poll thread). Fatal errors end the poll loop; others are reported and librdkafka
    /// recovers from them on its own.
    func handleError(client: OpaquePointer, code: rd_kafka_resp_err_t, reason: String?) {
        guard code == RD_KAFKA_RESP_ERR__FATAL else {
            report(KafkaError(code: code, reason: reason))
            return
        }
        var text = [CChar](repeating: 0, count: 512)
        let original = rd_kafka_fatal_error(client, &text, text.count)
        let originalReason = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var error = KafkaError(code: original, reason: originalReason.isEmpty ? reason : originalReason)
        error.kind = .fatal
        logger.critical("Fatal Kafka consumer error", metadata: ["error": "\(error)"])
        state.observations.recordFatalError(error)
        if fatalError == nil { fatalError = error }
    }

    /// Offset-commit callback (poll thread): results of automatic and asynchronous commits.
    func handleCommitResult(code: rd_kafka_resp_err_t, offsets: NativeTopicPartitionList.Pointer?) {
        switch code {
        case RD_KAFKA_RESP_ERR_NO_ERROR:
            // The request succeeded but partitions can still have failed one by one.
            if let offsets, let failed = NativeTopicPartitionList.elements(of: offsets).first(where: { $0.err != RD_KAFKA_RESP_ERR_NO_ERROR }) {
                state.observations.recordCommitFailure()
                report(KafkaError(code: failed.err, context: "commit \(TopicPartition(failed))@\(failed.offset)"))
            }
            if logger.logLevel <= .debug, let offsets {
                let committed = NativeTopicPartitionList.elements(of: offsets).map { "\(TopicPartition($0))@\($0.offset)" }
                logger.debug("Committed offsets", metadata: ["offsets": "\(committed.joined(separator: ","))"])
            }
        case RD_KAFKA_RESP_ERR__NO_OFFSET:
            break
        default:
            state.observations.recordCommitFailure()
            report(KafkaError(code: code, context: "commit"))
        }
        if finalCommit != nil, let offsets {
            finalCommit?.record(result: code, offsets: offsets)
        }
    }
}
