import Synchronization

/// Counters of what the pipeline did, readable at any time from any thread.
///
/// The hot path adds to `received` and `processed` once per batch or slice (relaxed atomics); the
/// labelled counts (by failure class) and retries change only on the failure path, under a lock.
public final class ProcessingStatistics: Sendable {
    private let receivedCount = Atomic<Int>(0)
    private let processedCount = Atomic<Int>(0)
    private let failedAttemptCount = Atomic<Int>(0)
    private let deadLetteredCount = Atomic<Int>(0)
    private let invalidCount = Atomic<Int>(0)
    private let haltedCount = Atomic<Int>(0)
    private let retryCount = Atomic<Int>(0)
    private let byClass = Mutex<(failedAttempts: [FailureClass: Int], deadLetters: [FailureClass: Int])>(([:], [:]))
    /// The latency histograms (filled per slice by the workers, see `AttemptSampler`).
    public let histograms = PipelineHistograms()

    public init() {}

    /// Records handed to the pipeline by the consumer.
    public var received: Int { receivedCount.load(ordering: .relaxed) }
    /// Events the processor finished successfully.
    public var processed: Int { processedCount.load(ordering: .relaxed) }
    /// Processing attempts that threw (each retry counts).
    public var failedAttempts: Int { failedAttemptCount.load(ordering: .relaxed) }
    /// Messages written to the dead-letter topic.
    public var deadLettered: Int { deadLetteredCount.load(ordering: .relaxed) }
    /// Messages that could not be decoded or validated (tombstones included).
    public var invalid: Int { invalidCount.load(ordering: .relaxed) }
    /// Partitions stopped by a failure that could not be dead-lettered (dead-lettering disabled).
    public var halted: Int { haltedCount.load(ordering: .relaxed) }
    /// Processing attempts after the first.
    public var retries: Int { retryCount.load(ordering: .relaxed) }
    /// Failed attempts by class (`processing_failed`, `processing_rejected`).
    public var failedAttemptsByClass: [FailureClass: Int] { byClass.withLock { $0.failedAttempts } }
    /// Dead letters by class.
    public var deadLettersByClass: [FailureClass: Int] { byClass.withLock { $0.deadLetters } }

    func addReceived(_ count: Int) { receivedCount.add(count, ordering: .relaxed) }
    func addProcessed(_ count: Int) { processedCount.add(count, ordering: .relaxed) }
    func addFailedAttempt(_ failure: FailureClass) {
        failedAttemptCount.add(1, ordering: .relaxed)
        byClass.withLock { $0.failedAttempts[failure, default: 0] += 1 }
    }
    func addDeadLettered(_ failure: FailureClass) {
        deadLetteredCount.add(1, ordering: .relaxed)
        byClass.withLock { $0.deadLetters[failure, default: 0] += 1 }
    }
    func addRetry() { retryCount.add(1, ordering: .relaxed) }
    func addInvalid() { invalidCount.add(1, ordering: .relaxed) }
    func addHalted() { haltedCount.add(1, ordering: .relaxed) }
}
