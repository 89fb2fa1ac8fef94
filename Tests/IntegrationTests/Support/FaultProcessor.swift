import EventModel
import Foundation
import Kafka
import ProcessingCore
import Synchronization

/// An `EventProcessor` for fault tests: records every attempt and fails (or is slow) as the test's
/// script says, until the script is changed (e.g. "fixed").
final class FaultProcessor: EventProcessor {
    /// One call of `process`.
    struct Attempt: Sendable, Hashable {
        var partition: Int32
        var offset: Int64
        var eventID: String
        var attempt: Int
        var succeeded: Bool
        /// When the attempt ended.
        var at: ContinuousClock.Instant
    }

    /// What to do with one attempt.
    enum Action: Sendable {
        case succeed
        case fail
        /// Succeed after sleeping this long (a slow processor).
        case delay(Duration)
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    typealias Script = @Sendable (_ event: EnrichedEvent, _ context: ProcessingContext) -> Action

    private let attempts = Mutex<[Attempt]>([])
    private let script: Mutex<Script>

    init(script: @escaping Script = { _, _ in .succeed }) {
        self.script = Mutex(script)
    }

    /// Replaces the script (e.g. the operator "fixed" the cause of failures).
    func setScript(_ script: @escaping Script) {
        self.script.withLock { $0 = script }
    }

    func process(_ event: EnrichedEvent, context: ProcessingContext) async throws {
        let action = script.withLock { $0 }(event, context)
        if case .delay(let duration) = action { try? await Task.sleep(for: duration) }
        let succeeded = if case .fail = action { false } else { true }
        attempts.withLock {
            $0.append(Attempt(
                partition: context.topicPartition.partition, offset: context.offset, eventID: event.eventID,
                attempt: context.attempt, succeeded: succeeded, at: .now
            ))
        }
        if !succeeded {
            throw Failure(description: "scripted failure of \(event.eventID) (attempt \(context.attempt))")
        }
    }

    /// Every attempt so far, in the order they ended.
    var allAttempts: [Attempt] { attempts.withLock { $0 } }

    /// Successful attempts so far.
    var successes: [Attempt] { attempts.withLock { $0.filter(\.succeeded) } }

    /// Successful attempts as `ProcessedOffsets` (what delivery assertions are checked against).
    var processed: ProcessedOffsets {
        var offsets = ProcessedOffsets()
        for attempt in successes { offsets.record(partition: attempt.partition, offset: attempt.offset) }
        return offsets
    }

    /// Event ids processed successfully, with how many times each.
    var successCounts: [String: Int] {
        var counts: [String: Int] = [:]
        for attempt in successes { counts[attempt.eventID, default: 0] += 1 }
        return counts
    }
}
