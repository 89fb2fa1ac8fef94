import Synchronization

/// Counters of the sink stage, readable at any time from any thread; added once per batch.
public final class SinkStatistics: Sendable {
    private let batchCount = Atomic<Int>(0)
    private let storedCount = Atomic<Int>(0)
    private let duplicateCount = Atomic<Int>(0)
    private let rejectedCount = Atomic<Int>(0)
    private let unavailableCount = Atomic<Int>(0)

    public init() {}

    /// Successful writes (a batch split after a rejection counts each part written).
    public var batches: Int { batchCount.load(ordering: .relaxed) }
    /// Events stored.
    public var stored: Int { storedCount.load(ordering: .relaxed) }
    /// Events that were already stored (see ``SinkWriteResult/duplicates``).
    public var duplicates: Int { duplicateCount.load(ordering: .relaxed) }
    /// Events the store rejected (dead-lettered, or held when dead-lettering is disabled).
    public var rejected: Int { rejectedCount.load(ordering: .relaxed) }
    /// Write attempts that found the store unavailable.
    public var unavailableAttempts: Int { unavailableCount.load(ordering: .relaxed) }

    func addWrite(_ result: SinkWriteResult) {
        batchCount.add(1, ordering: .relaxed)
        storedCount.add(result.stored, ordering: .relaxed)
        duplicateCount.add(result.duplicates, ordering: .relaxed)
    }

    func addRejected() { rejectedCount.add(1, ordering: .relaxed) }
    func addUnavailable() { unavailableCount.add(1, ordering: .relaxed) }
}
