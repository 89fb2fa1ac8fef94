import CRdKafka
import Logging

/// A consumer-group member over librdkafka's high-level consumer.
///
/// One dedicated poll thread (started by `run()`) does all the consuming work and calls the delegate;
/// see `KafkaConsumerDelegate` for the threading and ordering contract. Every other method is a
/// thread-safe, non-blocking request that the poll thread applies in order at its next iteration.
///
/// Design (one concept per file): `ConsumerStateMachine` is the single lock-protected state shared
/// between threads; `ConsumerPollLoop` is the poll thread; `ConsumerPollLoop+Rebalance` the rebalance callback;
/// `NativeConsumerHandle` owns the librdkafka handle; `ConsumerCallbackContext` bridges the C callbacks;
/// `NativeRecordReader` copies messages into `KafkaRecord`s; `KafkaConsumer+NativeCall` runs the blocking
/// requests of other threads (metadata, `KafkaConsumer+OffsetQueries`, `+Observers`) on the handle.
public final class KafkaConsumer: Sendable {
    /// What to consume and how, beyond the librdkafka properties.
    public struct Options: Sendable {
        /// Topics to subscribe to.
        public var topics: [String]
        /// Start every partition assigned in this run at its earliest offset (once per partition per run),
        /// regardless of committed offsets.
        public var readFromBeginning: Bool
        /// Most records handed to the delegate in one `didReceive` call.
        public var maxBatchSize: Int

        public init(topics: [String], readFromBeginning: Bool = false, maxBatchSize: Int = 1024) {
            self.topics = topics
            self.readFromBeginning = readFromBeginning
            self.maxBatchSize = maxBatchSize
        }
    }

    let state: ConsumerState
    let handle: NativeConsumerHandle
    private let pollLoop: ConsumerPollLoop
    private let logger: Logger

    /// Creates the native consumer (validating `configuration`) without connecting or subscribing.
    /// The consumer forces `enable.auto.offset.store=false`: only offsets passed to `storeOffsets` are committed.
    /// It defaults `partition.assignment.strategy` to `cooperative-sticky` and `log_level` to the
    /// logger's level when they are not set.
    /// - Throws: `.configuration` for an unknown property, an invalid value, a missing `group.id`, no
    ///   topics or a batch size below 1.
    public init(
        configuration: KafkaConfiguration,
        options: Options,
        delegate: any KafkaConsumerDelegate,
        logger: Logger
    ) throws(KafkaError) {
        guard !options.topics.isEmpty, !options.topics.contains(where: \.isEmpty) else {
            throw KafkaError(kind: .configuration, message: "topics: at least one non-empty topic name is required")
        }
        guard options.maxBatchSize >= 1 else {
            throw KafkaError(kind: .configuration, message: "maxBatchSize: must be at least 1, got \(options.maxBatchSize)")
        }
        let settings = try ConsumerSettings(userConfiguration: configuration, logLevel: logger.logLevel)
        let context = ConsumerCallbackContext(logBridge: LibrdkafkaLogBridge(logger: logger))
        let handle = try NativeConsumerHandle.make(settings: settings, callbackContext: context)
        let state = ConsumerState()
        let pollLoop = ConsumerPollLoop(
            handle: handle, state: state, delegate: delegate, options: options,
            commitMode: settings.commitMode, logger: logger)
        context.pollLoop = pollLoop
        self.state = state
        self.handle = handle
        self.pollLoop = pollLoop
        self.logger = logger
        logger.debug(
            "Consumer created",
            metadata: ["configuration": "\(settings.configuration.redacted.sorted { $0.key < $1.key })"])
    }

    deinit {
        // `run()` and `partitionCount` keep `self` alive while they use the handle, so only a consumer
        // that never ran can still own its handle here.
        let neverRan = state.withLock { machine in
            if case .created = machine.lifecycle { return true }
            return false
        }
        guard neverRan else { return }
        // rd_kafka_destroy joins librdkafka's threads (it can take a while): never on the thread that
        // happened to drop the last reference, which may be one of the cooperative pool's few threads.
        let handle = handle
        DedicatedThread.startOrRunHere(name: "kafka-destroy") { handle.destroy(wasClosed: false) }
    }

    /// Subscribes and runs the poll thread until `close()` completes or a fatal error occurs.
    /// Returns after the consumer left the group and the native handle was destroyed.
    /// Cancelling the calling task requests `close()`.
    /// - Throws: `.fatal` after a fatal librdkafka error (the consumer was closed first), the subscribe
    ///   error if subscribing failed, `.closed` when called a second time.
    public func run() async throws(KafkaError) {
        let outcome = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<Void, KafkaError>, Never>) in
                let completion: ConsumerStateMachine.RunCompletion = { continuation.resume(returning: $0) }
                switch state.withLock({ $0.startRun(completion: completion) }) {
                case .fail(let error):
                    completion(.failure(error))
                case .startPollThread:
                    // The thread holds `self` until the poll loop finished, so the handle outlives it.
                    let started = DedicatedThread.start(name: "kafka-consumer") { [self] in
                        pollLoop.run(consumer: self)
                    }
                    if !started {
                        // Thread creation failed: nothing ran. Running the poll loop here instead would
                        // block a cooperative-pool thread in librdkafka; the handle goes back to the
                        // never-ran state, which `deinit` destroys on a thread of its own.
                        state.withLock { $0.abandonRun() }
                        completion(.failure(KafkaError(kind: .other, message: "cannot start the consumer's poll thread")))
                    }
                }
            }
        } onCancel: {
            close()
        }
        try outcome.get()
    }

    /// Number of partitions of `topic`, asking the brokers (blocking work runs off the cooperative pool).
    /// - Throws: `.timedOut` when no broker answered, `.unknownTopic` when the topic does not exist,
    ///   `.closed` once the consumer has closed.
    public func partitionCount(of topic: String, timeout: Duration) async throws(KafkaError) -> Int {
        try await blockingCall("metadata") { client in
            TopicMetadataQuery.partitionCount(client: client, topic: topic, timeout: timeout)
        }
    }

    /// Requests sent so far to wake librdkafka's fetchers after the prefetch queue filled up (see
    /// `FetchWakeup`); for tests and diagnostics.
    package var fetchWakeupsSent: Int {
        pollLoop.fetchWakeup.wakeupsSent
    }

    /// The positions (next offset to read) that the close stored for its final commit; for a caller
    /// that stopped waiting for the close and must say what may not have been committed.
    public var positionsStoredAtClose: [TopicPartitionOffset] {
        state.withLock { $0.storedAtClose }
    }

    /// The partitions currently assigned to this member, as of the last rebalance callback.
    public var assignment: Set<TopicPartition> {
        state.withLock { $0.assignment }
    }

    /// Requests that these offsets (next offset to read) be stored for commit. Thread-safe; applied on
    /// the poll thread in request order. Stores for partitions no longer assigned are dropped.
    public func storeOffsets(_ offsets: [TopicPartitionOffset]) {
        guard !offsets.isEmpty else { return }
        enqueue(.storeOffsets(offsets))
    }

    /// Requests that fetching these partitions stop (records already delivered stay valid). Thread-safe.
    /// Records of these partitions may still arrive in the batch being polled when this is called;
    /// fetching resumes after the last delivered one. Partitions not assigned are ignored.
    public func pause(_ partitions: [TopicPartition]) {
        guard !partitions.isEmpty else { return }
        enqueue(.pause(partitions))
    }

    /// Requests that fetching resume after the last delivered record. Thread-safe. Partitions not
    /// paused (or revoked since) are ignored.
    public func resume(_ partitions: [TopicPartition]) {
        guard !partitions.isEmpty else { return }
        enqueue(.resume(partitions))
    }

    /// Requests an asynchronous commit of the stored offsets (used when `enable.auto.commit=false`).
    /// Failures reach the delegate's `didEncounter`.
    public func commit() {
        enqueue(.commit)
    }

    /// Stops delivering records: from now on nothing more reaches the delegate's `didReceive`.
    /// Records polled afterwards are destroyed unseen (and so never stored); stores, commits and the
    /// revoke at close still work.
    public func stopDelivery() {
        state.withLock { $0.stopDelivery() }
    }

    /// Begins the graceful close: applies pending requests, revokes the assignment (calling the
    /// delegate's `willRevoke`, whose offsets are stored and committed), leaves the group.
    /// Non-blocking; `run()` returns once the close finished.
    public func close() {
        wake(state.withLock { $0.requestClose() })
    }

    /// `close()`, bounded: `run()` returns within `timeout` (plus one poll interval) even when the
    /// brokers do not answer. A close cut short logs at error which positions may not have been
    /// committed, and leaves the native handle undestroyed (destroying it would block on the same
    /// unanswered requests); meant for a process about to exit.
    public func close(within timeout: Duration) {
        wake(state.withLock { $0.requestClose(deadline: .now + timeout) })
    }

    private func enqueue(_ request: ConsumerRequest) {
        wake(state.withLock { $0.enqueue(request) })
    }

    private func wake(_ action: ConsumerStateMachine.WakeAction) {
        switch action {
        case .none:
            break
        case .wakePollThread:
            // Outside the lock; the state machine counted this call as in flight, so the handle cannot
            // be destroyed before `endNativeCall`.
            handle.wakePollThread()
            state.endNativeCall()
        }
    }
}
