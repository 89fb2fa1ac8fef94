import EventModel
import Foundation
import Kafka
import Logging

/// Handles one decoded record of a partition: runs the processor, retries it with backoff (the
/// partition paused meanwhile), and gives up on what does not succeed — dead-letters it, or halts the
/// partition when dead-lettering is disabled.
///
/// The common case (processed at the first attempt) is `process(_:context:)`, inlined into the record
/// loop: one call of the processor and nothing else, no `async` call at all for a
/// `SynchronousEventProcessor`. Everything else is the failure path and may wait.
struct RecordHandler: Sendable {
    /// What became of a record that did not succeed at its first attempt.
    enum Outcome: Equatable {
        /// Processed after all (`processed`), or given up on and dead-lettered: the offset may be stored.
        case finished(processed: Bool)
        /// Not finished (revoked, shutting down, halted): the offset must not be stored.
        case abandoned
    }

    private let partition: AssignedPartition
    private let processor: any EventProcessor
    /// The same processor when it never suspends: first attempts then skip the `async` call.
    private let synchronousProcessor: (any SynchronousEventProcessor)?
    private let deadLetters: (any DeadLetterSink)?
    private let settings: PipelineSettings
    private let statistics: ProcessingStatistics
    private let logger: Logger

    init(
        partition: AssignedPartition, processor: any EventProcessor, deadLetters: (any DeadLetterSink)?,
        settings: PipelineSettings, statistics: ProcessingStatistics, logger: Logger
    ) {
        self.partition = partition
        self.processor = processor
        self.synchronousProcessor = processor as? any SynchronousEventProcessor
        self.deadLetters = deadLetters
        self.settings = settings
        self.statistics = statistics
        self.logger = logger
    }

    /// The first attempt at the event at `offset`, with `context` updated for it. `inout` on purpose:
    /// with the context passed in by value, the optimized record loop retained and released its logger
    /// and topic around every call (seen in `-O` SIL); updated here, they are borrowed in place.
    @inline(__always)
    func process(_ event: EnrichedEvent, at offset: Int64, context: inout ProcessingContext) async throws {
        context.offset = offset
        context.attempt = 1
        if let synchronousProcessor {
            try synchronousProcessor.processSynchronously(event, context: context)
        } else {
            try await processor.process(event, context: context)
        }
    }

    /// After the first attempt failed with `firstError`: retries with backoff (the partition paused
    /// meanwhile), and dead-letters (or halts on) what does not succeed.
    func retry(
        _ event: EnrichedEvent, _ record: KafkaRecord, after firstError: any Error, context: inout ProcessingContext
    ) async -> Outcome {
        var attempt = 1
        var error = firstError
        let firstFailure = Date()
        while true {
            let rejection = error as? PermanentProcessingError
            statistics.addFailedAttempt(rejection != nil ? .processingRejected : .processingFailed)
            if isRevoked { return .abandoned }
            if let rejection {
                if attempt > 1 { clearPause(.retryBackoff) }
                return await giveUp(record, failure: .processingRejected, message: rejection.description, attempts: attempt, firstFailure: firstFailure)
            }
            guard attempt < settings.retryPolicy.maxAttempts else {
                if attempt > 1 { clearPause(.retryBackoff) }
                return await giveUp(record, failure: .processingFailed, message: "\(error)", attempts: attempt, firstFailure: firstFailure)
            }
            let delay = settings.retryPolicy.delay(afterAttempt: attempt)
            logger.warning(
                "Processing failed, will retry",
                metadata: metadata(record, [
                    "attempt": "\(attempt)", "max_attempts": "\(settings.retryPolicy.maxAttempts)",
                    "retry_in": "\(delay)", "error": "\(error)",
                ])
            )
            setPause(.retryBackoff)
            guard await wait(delay) else { return .abandoned }
            attempt += 1
            statistics.addRetry()
            let started = AttemptSampler.monotonicNanoseconds()
            do {
                context.offset = record.offset
                context.attempt = attempt
                defer { recordDuration(since: started) }
                try await processor.process(event, context: context)
                clearPause(.retryBackoff)
                recordAge(of: record)
                return .finished(processed: true)
            } catch let next {
                error = next
            }
        }
    }

    /// A record that is not an event (see `RecordDecoder`): given up on at once, without attempts.
    func reject(_ record: KafkaRecord, _ invalid: RecordDecoder.InvalidRecord) async -> Outcome {
        statistics.addInvalid()
        return await giveUp(record, failure: invalid.failure, message: invalid.message, attempts: 0, firstFailure: Date())
    }

    /// Sends `record` to the dead-letter sink — retrying, with the partition paused, until it is written —
    /// or halts the partition when dead-lettering is disabled.
    private func giveUp(_ record: KafkaRecord, failure: FailureClass, message: String, attempts: Int, firstFailure: Date) async -> Outcome {
        guard let deadLetters else { return await halt(record, failure: failure, message: message) }
        let letter = DeadLetter(record: record, failure: failure, message: message, attempts: attempts, firstFailure: firstFailure, lastFailure: Date())
        var sendAttempt = 1
        while true {
            do {
                try await deadLetters.send(letter)
                statistics.addDeadLettered(failure)
                recordAge(of: record)
                if sendAttempt > 1 { clearPause(.deadLetterUnavailable) }
                logger.error(
                    "Message dead-lettered: \(message)",
                    metadata: metadata(record, ["error_class": "\(failure)", "attempts": "\(attempts)"])
                )
                return .finished(processed: false)
            } catch {
                if isRevoked { return .abandoned }
                let delay = settings.deadLetterBackoff.delay(afterAttempt: sendAttempt)
                logger.error(
                    "Cannot write to the dead-letter topic; the partition waits and tries again",
                    metadata: metadata(record, ["error_class": "\(failure)", "error": "\(error)", "retry_in": "\(delay)"])
                )
                setPause(.deadLetterUnavailable)
                guard await wait(delay) else { return .abandoned }
                sendAttempt += 1
            }
        }
    }

    /// Dead-lettering is disabled and this record cannot be processed: stop the partition where it is,
    /// visibly, rather than skip the record. It stays stopped until revoked or the service stops.
    private func halt(_ record: KafkaRecord, failure: FailureClass, message: String) async -> Outcome {
        statistics.addHalted()
        setPause(.halted)
        repeat {
            logger.error(
                "Partition stopped: the message cannot be processed and dead-lettering is disabled (DLQ_ENABLED=false). Fix the cause or enable the dead-letter topic, then restart.",
                metadata: metadata(record, ["error_class": "\(failure)", "error": "\(message)"])
            )
        } while await wait(settings.haltReminderInterval)
        return .abandoned
    }

    // MARK: Helpers

    /// A retry attempt's duration, exactly (first attempts are sampled by the record loop).
    private func recordDuration(since started: UInt64) {
        statistics.histograms.processingDuration.record(nanoseconds: AttemptSampler.elapsedNanoseconds(since: started))
    }

    /// A record finished on the failure path (processed after retries, or dead-lettered): its age.
    private func recordAge(of record: KafkaRecord) {
        guard let timestamp = record.timestampMilliseconds else { return }
        statistics.histograms.eventAge.record(nanoseconds: AttemptSampler.ageNanoseconds(ofTimestamp: timestamp))
    }

    private var isRevoked: Bool { partition.isRevoked }
    private func wait(_ delay: Duration) async -> Bool { await partition.wait(delay) }
    private func setPause(_ reason: PauseReason) { partition.setPause(reason) }
    private func clearPause(_ reason: PauseReason) { partition.clearPause(reason) }

    private func metadata(_ record: KafkaRecord, _ extra: Logger.Metadata) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "topic": "\(record.topicPartition.topic)",
            "partition": "\(record.topicPartition.partition)",
            "offset": "\(record.offset)",
        ]
        metadata.merge(extra) { _, new in new }
        return metadata
    }
}
