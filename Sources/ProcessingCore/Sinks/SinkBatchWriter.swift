import Foundation
import Kafka
import Logging
import Synchronization

/// Writes one batch to the ``EventSink`` until it is settled: every event stored (or already there), or
/// rejected by the store and dead-lettered. Used by ``SinkBatcher``, on its task, one batch at a time.
///
/// - Store unavailable: the same events are written again after a backoff, for as long as it takes; the
///   only way out is cancellation of the calling task (shutdown past `SHUTDOWN_TIMEOUT`), which abandons
///   the batch — its offsets are then not released, so it is delivered again after a restart.
/// - Store rejected the batch: it is split (at the event the store named, else in halves) and each part is
///   written on its own, until the rejected event is alone; that one goes to the dead letters with class
///   `sink_rejected` and the store's message. Its neighbours are stored. A batch of n events with one bad
///   event costs about 2·log₂(n) extra writes.
final class SinkBatchWriter: Sendable {
    /// What became of a batch.
    enum Outcome: Equatable {
        /// Every event is stored, was already stored, or was dead-lettered.
        case settled
        /// Given up on (the task was cancelled); nothing may be released for it.
        case abandoned
    }

    private let sink: any EventSink
    private let deadLetters: (any DeadLetterSink)?
    private let settings: SinkBatchSettings
    private let statistics: SinkStatistics
    /// Where a written dead letter counts with the pipeline's (see `SinkBatcher.init`).
    private let pipelineStatistics: ProcessingStatistics?
    private let observer: any SinkObserver
    private let logger: Logger
    /// Whether the last write reached the store (readiness reads it).
    let reachable = Atomic<Bool>(true)
    /// Events rejected by the store that could not be dead-lettered (no dead-letter sink), since the last
    /// `takeHeld()`: their partitions must stop there.
    private let held = Mutex<[SinkEvent]>([])

    init(
        sink: any EventSink, deadLetters: (any DeadLetterSink)?, settings: SinkBatchSettings,
        statistics: SinkStatistics, pipelineStatistics: ProcessingStatistics?, observer: any SinkObserver, logger: Logger
    ) {
        self.sink = sink
        self.deadLetters = deadLetters
        self.settings = settings
        self.statistics = statistics
        self.pipelineStatistics = pipelineStatistics
        self.observer = observer
        self.logger = logger
    }

    /// Closes the store's connections and files.
    func closeStore() async {
        await sink.close()
    }

    /// The events held since the last call (see `held`).
    func takeHeld() -> [SinkEvent] {
        held.withLock { events in
            defer { events = [] }
            return events
        }
    }

    /// Opens the store, retrying while it is unavailable; false when cancelled first.
    func open() async -> Bool {
        var attempt = 0
        var lastReport: ContinuousClock.Instant?
        while !Task.isCancelled {
            do throws(EventSinkError) {
                try await sink.open()
                markReachable(afterFailures: attempt)
                return true
            } catch {
                attempt += 1
                report(error, attempt: attempt, events: 0, lastReport: &lastReport)
                guard await pause(settings.unavailableBackoff.delay(afterAttempt: attempt)) else { return false }
            }
        }
        return false
    }

    /// Writes `events` until they are settled, or until the task is cancelled.
    func write(_ events: ArraySlice<SinkEvent>) async -> Outcome {
        var attempt = 0
        var lastReport: ContinuousClock.Instant?
        let clock = ContinuousClock()
        while !Task.isCancelled {
            let start = clock.now
            do throws(EventSinkError) {
                let result = try await sink.write(Array(events))
                observer.wrote(result, events: events.count, duration: clock.now - start)
                statistics.addWrite(result)
                markReachable(afterFailures: attempt)
                return .settled
            } catch {
                observer.failed(error, events: events.count, duration: clock.now - start)
                switch error {
                case .unavailable:
                    attempt += 1
                    report(error, attempt: attempt, events: events.count, lastReport: &lastReport)
                    guard await pause(settings.unavailableBackoff.delay(afterAttempt: attempt)) else { return .abandoned }
                case .rejected(let message, let index):
                    markReachable(afterFailures: attempt)
                    return await split(events, rejectedAt: index, message: message)
                }
            }
        }
        return .abandoned
    }

    /// The store rejected `events`: settle its parts separately (see the type's documentation).
    private func split(_ events: ArraySlice<SinkEvent>, rejectedAt index: Int?, message: String) async -> Outcome {
        if events.count == 1 { return await deadLetter(events[events.startIndex], message: message) }
        if let index, index >= 0, index < events.count {
            let bad = events.startIndex + index
            let before = events[..<bad]
            let after = events[(bad + 1)...]
            if !before.isEmpty, await write(before) == .abandoned { return .abandoned }
            if await deadLetter(events[bad], message: message) == .abandoned { return .abandoned }
            return after.isEmpty ? .settled : await write(after)
        }
        let middle = events.startIndex + events.count / 2
        if await write(events[..<middle]) == .abandoned { return .abandoned }
        return await write(events[middle...])
    }

    /// Sends the rejected event to the dead letters, retrying until it is written. Without a dead-letter
    /// sink (`DLQ_ENABLED=false`) the event is held: its partition stops there, nothing is skipped.
    private func deadLetter(_ event: SinkEvent, message: String) async -> Outcome {
        statistics.addRejected()
        let origin: Logger.Metadata = [
            "topic": "\(event.topicPartition.topic)", "partition": "\(event.topicPartition.partition)",
            "offset": "\(event.offset)", "event_id": "\(event.event.eventID)", "error_class": "\(FailureClass.sinkRejected)",
        ]
        guard let deadLetters else {
            logger.error(
                "The store rejected an event and dead-lettering is disabled (DLQ_ENABLED=false): its partition stops here. Fix the cause, then restart.",
                metadata: origin.merging(["error": "\(message)"]) { $1 })
            held.withLock { $0.append(event) }
            return .settled
        }
        let now = Date()
        let letter = DeadLetter(
            record: event.record, failure: .sinkRejected, message: message, attempts: 1, firstFailure: now, lastFailure: now)
        var attempt = 0
        while !Task.isCancelled {
            do {
                try await deadLetters.send(letter)
                pipelineStatistics?.addDeadLettered(.sinkRejected)
                logger.error("Message dead-lettered: the store rejected it: \(message)", metadata: origin)
                return .settled
            } catch {
                attempt += 1
                let delay = settings.deadLetterBackoff.delay(afterAttempt: attempt)
                logger.error(
                    "Cannot write to the dead-letter topic; the sink waits and tries again",
                    metadata: origin.merging(["error": "\(error)", "retry_in": "\(delay)"]) { $1 })
                guard await pause(delay) else { return .abandoned }
            }
        }
        return .abandoned
    }

    private func markReachable(afterFailures failures: Int) {
        reachable.store(true, ordering: .relaxed)
        if failures > 0 {
            logger.notice("Event store reachable again", metadata: ["sink": "\(sink.name)", "failed_attempts": "\(failures)"])
        }
    }

    /// Logs an unavailable store: at the first failure, then every `unavailableReminderInterval`.
    private func report(_ error: EventSinkError, attempt: Int, events: Int, lastReport: inout ContinuousClock.Instant?) {
        statistics.addUnavailable()
        reachable.store(false, ordering: .relaxed)
        let now = ContinuousClock.now
        if let last = lastReport, now - last < settings.unavailableReminderInterval { return }
        lastReport = now
        logger.error(
            "Event store unavailable; events wait and the write is retried",
            metadata: ["sink": "\(sink.name)", "error": "\(error)", "attempt": "\(attempt)", "events": "\(events)"])
    }

    /// Sleeps for `delay`; false when the task was cancelled.
    private func pause(_ delay: Duration) async -> Bool {
        (try? await Task.sleep(for: delay)) != nil
    }
}
