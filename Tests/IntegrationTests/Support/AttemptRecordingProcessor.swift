import EventModel
import Kafka
import ProcessingCore
import Synchronization

/// An `EventProcessor` that records every attempt in call order and fails the attempts a test chooses
/// (with a transient error, which the pipeline retries).
final class AttemptRecordingProcessor: EventProcessor {
    /// One call of `process`.
    struct Attempt: Sendable, Equatable {
        var partition: Int32
        var offset: Int64
        /// 1 for the first try.
        var attempt: Int
        var succeeded: Bool
    }

    struct ScriptedFailure: Error, CustomStringConvertible {
        var description: String
    }

    private let attempts = Mutex<[Attempt]>([])
    private let fails: @Sendable (_ partition: Int32, _ offset: Int64, _ attempt: Int) -> Bool

    /// - Parameter fails: whether this attempt (1 = first) at this event throws; by default none does.
    init(fails: @escaping @Sendable (_ partition: Int32, _ offset: Int64, _ attempt: Int) -> Bool = { _, _, _ in false }) {
        self.fails = fails
    }

    func process(_ event: EnrichedEvent, context: ProcessingContext) async throws {
        let partition = context.topicPartition.partition
        let failing = fails(partition, context.offset, context.attempt)
        attempts.withLock {
            $0.append(Attempt(partition: partition, offset: context.offset, attempt: context.attempt, succeeded: !failing))
        }
        if failing {
            throw ScriptedFailure(description: "scripted failure of \(context.topicPartition)@\(context.offset), attempt \(context.attempt)")
        }
    }

    /// Every attempt so far, in call order.
    var allAttempts: [Attempt] { attempts.withLock { $0 } }

    /// The offsets processed successfully, per partition in the order they succeeded.
    var processed: ProcessedOffsets {
        var offsets = ProcessedOffsets()
        for attempt in allAttempts where attempt.succeeded {
            offsets.record(partition: attempt.partition, offset: attempt.offset)
        }
        return offsets
    }
}
