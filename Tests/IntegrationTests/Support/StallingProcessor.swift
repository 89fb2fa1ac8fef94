import EventModel
import Kafka
import ProcessingCore
import Synchronization

/// An `EventProcessor` that blocks on chosen events *ignoring cancellation* — like a processor stuck in
/// blocking I/O — and succeeds at once on every other event, recording what it finished.
final class StallingProcessor: EventProcessor {
    private let stall: @Sendable (_ partition: Int32, _ offset: Int64) -> Duration?
    private let finished = Mutex(ProcessedOffsets())
    private let stalled = Mutex<[TopicPartitionOffset]>([])

    /// - Parameter stallsFor: how long the call for an event blocks before returning (nil: no stall).
    init(stallsFor stall: @escaping @Sendable (_ partition: Int32, _ offset: Int64) -> Duration?) {
        self.stall = stall
    }

    func process(_ event: EnrichedEvent, context: ProcessingContext) async throws {
        let partition = context.topicPartition.partition
        if let duration = stall(partition, context.offset) {
            stalled.withLock { $0.append(TopicPartitionOffset(context.topicPartition, offset: context.offset)) }
            // Deliberately not cancellable: the service must cope with a processor that ignores it.
            let end = ContinuousClock.now + duration
            while ContinuousClock.now < end { try? await Task.sleep(until: end) }
            return
        }
        finished.withLock { $0.record(partition: partition, offset: context.offset) }
    }

    /// Events finished without stalling, in order.
    var processed: ProcessedOffsets { finished.withLock { $0 } }

    /// The events whose call started a stall.
    var stalledEvents: [TopicPartitionOffset] { stalled.withLock { $0 } }
}
