import Kafka
import Synchronization

/// A `KafkaConsumerDelegate` for tests: records everything the consumer tells it, optionally stores the
/// offsets of every delivered batch, and lets a test wait (with a hang bound) for a condition.
final class ConsumerTestDelegate: KafkaConsumerDelegate {
    /// What the delegate has seen so far.
    struct Observed: Sendable {
        var records: [KafkaRecord] = []
        var assigned: [[TopicPartition]] = []
        var revoked: [(partitions: [TopicPartition], lost: Bool)] = []
        var errors: [KafkaError] = []
        var batches = 0
        /// Delegate calls that overlapped another delegate call (the contract says one at a time).
        var overlappingCalls = 0

        /// Offsets delivered per partition, in delivery order.
        var offsetsByPartition: [TopicPartition: [Int64]] {
            Dictionary(grouping: records, by: \.topicPartition).mapValues { $0.map(\.offset) }
        }
    }

    private struct Waiter {
        let condition: @Sendable (Observed) -> Bool
        let continuation: CheckedContinuation<Bool, Never>
    }

    private struct State {
        var observed = Observed()
        var waiters: [Int: Waiter] = [:]
        var nextWaiterID = 0
    }

    private let state = Mutex(State())
    /// Delegate calls in progress, to detect overlapping calls.
    private let callsInProgress = Atomic(0)
    /// Store `offset + 1` of each partition's last record after every batch (what a pipeline does
    /// after finishing a batch).
    let storesEachBatch: Bool
    /// Runs on the poll thread for every batch, after the optional store and before recording it.
    let onBatch: (@Sendable (KafkaConsumer, [KafkaRecord]) -> Void)?

    init(storesEachBatch: Bool = false, onBatch: (@Sendable (KafkaConsumer, [KafkaRecord]) -> Void)? = nil) {
        self.storesEachBatch = storesEachBatch
        self.onBatch = onBatch
    }

    var observed: Observed { state.withLock { $0.observed } }

    /// Waits until `condition` holds for what was observed, or `timeout` passed (a hang bound, not a
    /// performance assertion). - Returns: whether the condition held.
    func wait(
        timeout: Duration = .seconds(60), until condition: @escaping @Sendable (Observed) -> Bool
    ) async -> Bool {
        let id = state.withLock { state in
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            self?.resumeWaiter(id, with: false)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            let satisfied = state.withLock { state in
                if condition(state.observed) { return true }
                state.waiters[id] = Waiter(condition: condition, continuation: continuation)
                return false
            }
            if satisfied { continuation.resume(returning: true) }
        }
    }

    private func resumeWaiter(_ id: Int, with result: Bool) {
        state.withLock { $0.waiters.removeValue(forKey: id) }?.continuation.resume(returning: result)
    }

    /// Applies a change to what was observed and wakes the waiters whose condition now holds.
    private func record(_ change: (inout Observed) -> Void) {
        let satisfied: [Waiter] = state.withLock { state in
            change(&state.observed)
            let ready = state.waiters.filter { $0.value.condition(state.observed) }
            for id in ready.keys { state.waiters.removeValue(forKey: id) }
            return Array(ready.values)
        }
        for waiter in satisfied { waiter.continuation.resume(returning: true) }
    }

    /// Runs one delegate call, counting it as overlapping if another one is in progress.
    private func exclusively<Result>(_ body: () -> Result) -> Result {
        if callsInProgress.add(1, ordering: .sequentiallyConsistent).newValue > 1 {
            record { $0.overlappingCalls += 1 }
        }
        defer { callsInProgress.subtract(1, ordering: .sequentiallyConsistent) }
        return body()
    }

    // MARK: KafkaConsumerDelegate

    func consumer(_ consumer: KafkaConsumer, didAssign partitions: [TopicPartition]) {
        exclusively { record { $0.assigned.append(partitions) } }
    }

    func consumer(_ consumer: KafkaConsumer, willRevoke partitions: [TopicPartition], lost: Bool) -> [TopicPartitionOffset] {
        exclusively {
            record { $0.revoked.append((partitions, lost)) }
            // Tests that need stores store them per batch; nothing is pending here.
            return []
        }
    }

    func consumer(_ consumer: KafkaConsumer, didReceive records: [KafkaRecord]) {
        exclusively {
            if storesEachBatch {
                var next: [TopicPartition: Int64] = [:]
                for record in records { next[record.topicPartition] = record.offset + 1 }
                consumer.storeOffsets(next.map { TopicPartitionOffset($0.key, offset: $0.value) })
            }
            onBatch?(consumer, records)
            record { observed in
                observed.records.append(contentsOf: records)
                observed.batches += 1
            }
        }
    }

    func consumer(_ consumer: KafkaConsumer, didEncounter error: KafkaError) {
        exclusively { record { $0.errors.append(error) } }
    }
}
