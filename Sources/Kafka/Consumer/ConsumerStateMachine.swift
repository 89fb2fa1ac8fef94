/// A request that another thread makes of the poll thread. Requests are applied on the poll thread in
/// the order they were made, at the start of the next poll iteration (or earlier, inside a revoke).
enum ConsumerRequest: Sendable {
    case storeOffsets([TopicPartitionOffset])
    case pause([TopicPartition])
    case resume([TopicPartition])
    case commit
}

/// Everything about a consumer that more than one thread touches, as one value guarded by one lock
/// (`ConsumerState`). Methods never call into librdkafka; they decide and return what the caller must
/// do once the lock is released.
///
/// Lifetime of the native handle, as tracked by `lifecycle`:
/// - `created`: `init` made the handle; `run()` was not called. Whoever drops the last reference to
///   the `KafkaConsumer` destroys the handle in `deinit`.
/// - `running`: the poll thread owns the handle and is the only thread that polls, assigns, stores,
///   pauses or closes. Other threads may still make short native calls that librdkafka allows from any
///   thread (`rd_kafka_queue_yield` to wake the poll thread, `rd_kafka_metadata`), each bracketed by
///   `beginNativeCall`/`endNativeCall` so that the handle outlives them.
/// - `draining`: the poll thread has closed the consumer and waits for those in-flight native calls to
///   end. No new native call may begin.
/// - `finished`: the poll thread destroyed (or is about to destroy) the handle; `run()` returns.
struct ConsumerStateMachine: Sendable {
    /// Resumes the suspended `run()` with its outcome; called exactly once, after the handle was destroyed.
    typealias RunCompletion = @Sendable (Result<Void, KafkaError>) -> Void

    enum Lifecycle: Sendable {
        case created
        case running(RunCompletion)
        case draining(RunCompletion)
        case finished
    }

    private(set) var lifecycle: Lifecycle = .created
    private var pendingRequests: [ConsumerRequest] = []
    /// Whether a wake-up was already sent for the requests now pending: one `rd_kafka_queue_yield` per
    /// poll iteration is enough, however many requests arrive.
    private var wakeUpSent = false
    private(set) var isCloseRequested = false
    /// When the close must be over (see `KafkaConsumer.close(within:)`); nil: no bound.
    private(set) var closeDeadline: ContinuousClock.Instant?
    private(set) var isDeliveryStopped = false
    private var nativeCallsInFlight = 0
    /// The partitions currently assigned to this member, as the rebalance callback applied them.
    private(set) var assignment: Set<TopicPartition> = []
    /// The assigned partitions this consumer paused on request (cleared for partitions when revoked).
    private(set) var paused: Set<TopicPartition> = []
    /// What the close's revoke stored for its final commit (for a caller that stops waiting for it).
    private(set) var storedAtClose: [TopicPartitionOffset] = []

    // MARK: Run

    enum StartRunAction {
        case startPollThread
        case fail(KafkaError)
    }

    mutating func startRun(completion: @escaping RunCompletion) -> StartRunAction {
        guard case .created = lifecycle else {
            return .fail(KafkaError(kind: .closed, message: "run() may be called only once per KafkaConsumer"))
        }
        lifecycle = .running(completion)
        return .startPollThread
    }

    // MARK: Requests from any thread

    enum WakeAction {
        case none
        /// Call `rd_kafka_queue_yield` on the consumer queue, then `endNativeCall()`.
        case wakePollThread
    }

    mutating func enqueue(_ request: ConsumerRequest) -> WakeAction {
        switch lifecycle {
        case .created:
            // Applied by the poll thread's first iteration.
            pendingRequests.append(request)
            return .none
        case .running:
            pendingRequests.append(request)
            return wakeIfNeeded()
        case .draining, .finished:
            // The consumer is closed: its assignment is gone, nothing could be stored or paused.
            return .none
        }
    }

    mutating func requestClose(deadline: ContinuousClock.Instant? = nil) -> WakeAction {
        // The earliest bound asked for wins, also when a close was already requested without one.
        if let deadline { closeDeadline = min(closeDeadline ?? deadline, deadline) }
        guard !isCloseRequested else { return .none }
        isCloseRequested = true
        if case .running = lifecycle { return wakeIfNeeded() }
        return .none
    }

    /// The poll thread could not be started: back to `created`, so that `KafkaConsumer.deinit` destroys
    /// the handle (off the caller's thread) as for a consumer that never ran.
    mutating func abandonRun() {
        guard case .running = lifecycle else { return }
        lifecycle = .created
    }

    mutating func stopDelivery() {
        isDeliveryStopped = true
    }

    private mutating func wakeIfNeeded() -> WakeAction {
        guard !wakeUpSent else { return .none }
        wakeUpSent = true
        nativeCallsInFlight += 1
        return .wakePollThread
    }

    // MARK: Native calls from other threads

    /// Registers a native call made outside the poll thread. Returns false when the handle is (being) destroyed.
    mutating func beginNativeCall() -> Bool {
        switch lifecycle {
        case .created, .running:
            nativeCallsInFlight += 1
            return true
        case .draining, .finished:
            return false
        }
    }

    enum EndNativeCallAction {
        case none
        /// The poll thread is parked waiting for native calls to end: signal it.
        case resumeDrainingPollThread
    }

    mutating func endNativeCall() -> EndNativeCallAction {
        nativeCallsInFlight -= 1
        if nativeCallsInFlight == 0, case .draining = lifecycle {
            return .resumeDrainingPollThread
        }
        return .none
    }

    // MARK: Poll thread

    /// Hands the pending requests to the poll thread, in request order.
    mutating func takeRequests() -> [ConsumerRequest] {
        wakeUpSent = false
        guard !pendingRequests.isEmpty else { return [] }
        defer { pendingRequests = [] }
        return pendingRequests
    }

    enum CloseFinishedAction {
        /// Destroy the handle now, then resume `run()`.
        case destroyHandle(RunCompletion)
        /// Wait until `endNativeCall` reports the last in-flight call ended, then call `drained()`.
        case waitForNativeCalls
    }

    /// The poll thread closed the consumer. Requests still pending are dropped.
    mutating func closeFinished() -> CloseFinishedAction {
        guard case .running(let completion) = lifecycle else {
            preconditionFailure("closeFinished() outside of running state: \(lifecycle)")
        }
        pendingRequests = []
        if nativeCallsInFlight == 0 {
            lifecycle = .finished
            return .destroyHandle(completion)
        }
        lifecycle = .draining(completion)
        return .waitForNativeCalls
    }

    /// The last in-flight native call ended while draining: the handle may be destroyed.
    mutating func drained() -> RunCompletion {
        guard case .draining(let completion) = lifecycle else {
            preconditionFailure("drained() outside of draining state: \(lifecycle)")
        }
        lifecycle = .finished
        return completion
    }

    // MARK: Assignment (changed by the poll thread only)

    mutating func didAssign(_ partitions: [TopicPartition], incremental: Bool) {
        if incremental {
            assignment.formUnion(partitions)
        } else {
            assignment = Set(partitions)
            paused = []
        }
    }

    mutating func recordStoredAtClose(_ offsets: [TopicPartitionOffset]) {
        storedAtClose.append(contentsOf: offsets)
    }

    /// Forgets revoked partitions and their paused state.
    /// - Returns: the revoked partitions this consumer had paused.
    mutating func didRevoke(_ partitions: [TopicPartition], incremental: Bool) -> [TopicPartition] {
        let revoked = incremental ? Set(partitions) : assignment.union(partitions)
        let pausedAndRevoked = paused.intersection(revoked)
        assignment.subtract(revoked)
        paused.subtract(revoked)
        return Array(pausedAndRevoked)
    }

    /// The entries of `offsets` whose partitions are assigned now.
    func filterAssigned(_ offsets: [TopicPartitionOffset]) -> [TopicPartitionOffset] {
        offsets.filter { assignment.contains($0.topicPartition) }
    }

    /// Marks assigned, not yet paused partitions as paused. - Returns: the partitions to pause natively.
    mutating func markPaused(_ partitions: [TopicPartition]) -> [TopicPartition] {
        var toPause: [TopicPartition] = []
        for partition in partitions where assignment.contains(partition) && paused.insert(partition).inserted {
            toPause.append(partition)
        }
        return toPause
    }

    /// Marks paused partitions as resumed. - Returns: the partitions to resume natively.
    mutating func markResumed(_ partitions: [TopicPartition]) -> [TopicPartition] {
        partitions.filter { paused.remove($0) != nil }
    }
}
