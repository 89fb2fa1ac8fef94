import Synchronization

/// Counters of what the pipeline did, readable at any time from any thread.
public final class ProcessingStatistics: Sendable {
    private let receivedCount = Atomic<Int>(0)
    private let processedCount = Atomic<Int>(0)
    private let failedAttemptCount = Atomic<Int>(0)
    private let deadLetteredCount = Atomic<Int>(0)
    private let invalidCount = Atomic<Int>(0)
    private let haltedCount = Atomic<Int>(0)

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

    func addReceived(_ count: Int) { receivedCount.add(count, ordering: .relaxed) }
    func addProcessed(_ count: Int) { processedCount.add(count, ordering: .relaxed) }
    func addFailedAttempt() { failedAttemptCount.add(1, ordering: .relaxed) }
    func addDeadLettered() { deadLetteredCount.add(1, ordering: .relaxed) }
    func addInvalid() { invalidCount.add(1, ordering: .relaxed) }
    func addHalted() { haltedCount.add(1, ordering: .relaxed) }
}
