import EventModel
import Foundation
import Kafka
import Logging
import Synchronization

/// Processes one assigned partition: decodes each record, runs the processor with retries, dead-letters
/// what cannot be processed, and tells the consumer which offsets are finished — strictly in offset order.
///
/// Threads: `enqueue`, `revoke` and `stop` are called by the pipeline on the consumer's poll thread;
/// the processing loop runs in the worker's own task on a `ProcessingExecutor`. Both sides meet only
/// under `state`'s lock (see `PartitionState` for the lock-order rule).
final class PartitionWorker: Sendable {
    let topicPartition: TopicPartition
    private let state = Mutex(PartitionState())
    private let task = Mutex<Task<Void, Never>?>(nil)
    /// The next offset after the last finished record, or -1. Written by the processing task after every
    /// record (a relaxed atomic store instead of a lock per record); read by `revoke()` under the lock.
    private let finishedNext = Atomic<Int64>(-1)
    /// Mirrors `lifecycle == .running`, so the processing task can check it per record without the lock.
    private let isRunning = Atomic<Bool>(true)
    /// Records finished by the processing task and not yet settled, added once per slice (`SliceTally`);
    /// only the processing task uses it.
    private let unsettled = Atomic<Int>(0)
    private let flow: FlowControl
    private let control: any ConsumerControl
    private let processor: any EventProcessor
    /// The same processor when it never suspends: first attempts then skip the `async` call.
    private let synchronousProcessor: (any SynchronousEventProcessor)?
    private let deadLetters: (any DeadLetterSink)?
    private let settings: PipelineSettings
    private let statistics: ProcessingStatistics
    private let logger: Logger
    /// Where the processing task runs (see `ProcessingExecutor`).
    private let executor: ProcessingExecutor

    init(
        topicPartition: TopicPartition,
        control: any ConsumerControl,
        processor: any EventProcessor,
        deadLetters: (any DeadLetterSink)?,
        settings: PipelineSettings,
        statistics: ProcessingStatistics,
        flow: FlowControl,
        executor: ProcessingExecutor,
        logger: Logger
    ) {
        self.topicPartition = topicPartition
        self.executor = executor
        self.flow = flow
        self.control = control
        self.processor = processor
        self.synchronousProcessor = processor as? any SynchronousEventProcessor
        self.deadLetters = deadLetters
        self.settings = settings
        self.statistics = statistics
        self.logger = logger
    }

    /// Starts the processing task on the executor. Called once, right after the partition was assigned.
    func start() {
        let task = Task(executorPreference: executor) { await self.run() }
        self.task.withLock { $0 = task }
    }

    /// Waits until the processing task has ended.
    func waitUntilFinished() async {
        await task.withLock { $0 }?.value
    }

    // MARK: Poll-thread side

    /// Hands newly consumed records (in offset order) to the worker.
    func enqueue(_ records: ArraySlice<KafkaRecord>) {
        state.withLock { state in
            guard state.lifecycle == .running else { return }
            state.buffered += records.count
            if let waiter = state.waiter {
                state.waiter = nil
                waiter.resume(returning: [records])
            } else {
                state.inbox.append(records)
            }
            if state.buffered >= settings.maxBufferedPerPartition {
                apply(state.addPauseReason(.backpressure))
            }
            settleFlow(&state)
        }
    }

    /// The partition is being revoked (or was lost): drop what is buffered, let the event in flight run
    /// out with its result ignored, and return the position of the finished work, to be stored before
    /// the partition goes. After this returns the worker requests nothing more from the consumer.
    func revoke() -> Int64? {
        let committable = state.withLock { state -> Int64? in
            state.lifecycle = .revoked
            isRunning.store(false, ordering: .relaxed)
            state.inbox = []
            state.waiter?.resume(returning: nil)
            state.waiter = nil
            settleFlow(&state)
            recordFinishedWork(&state)
            return state.offsets.committable
        }
        // In-flight processing and backoff sleeps see the cancellation; their results are dropped anyway.
        task.withLock { $0 }?.cancel()
        return committable
    }

    /// Graceful shutdown: take nothing more, let the event in flight finish (its offset is still stored),
    /// and cut short any backoff wait.
    func stop() {
        let interruptWait = state.withLock { state -> Bool in
            if state.lifecycle == .running { state.lifecycle = .stopping }
            isRunning.store(false, ordering: .relaxed)
            state.inbox = []
            state.waiter?.resume(returning: nil)
            state.waiter = nil
            settleFlow(&state)
            return state.isWaitingOnBackoff
        }
        if interruptWait { task.withLock { $0 }?.cancel() }
    }

    // MARK: Processing task

    private func run() async {
        let decoder = EnrichedEventDecoder()
        // One context for the worker's life, updated per record: building one per record copied the
        // logger (and reference-counted its handler, shared by every worker) for every event.
        var context = ProcessingContext(topicPartition: topicPartition, offset: -1, attempt: 1, logger: privateCopy(of: logger))
        // The event just finished with: the decoder reuses its memory for the next one unless the
        // processor kept a copy.
        var finishedEvent: EnrichedEvent?
        while let slices = await nextBatchReleasing(&finishedEvent) {
            for slice in slices {
                // Counted here and added to the shared counts once per slice, and before anything that
                // may settle or wait: an atomic add per record cost two locked instructions per event.
                var tally = SliceTally()
                // By index, reading the record in place: `for record in slice` copied every record
                // (reference counting its storage) only to read its offset and value.
                for index in slice.indices {
                    // The common case (decodes, processed at the first attempt) makes at most one async
                    // call, the processor's, and none for a `SynchronousEventProcessor`; failures go
                    // through `retry` and `giveUp`.
                    let outcome: RecordOutcome
                    let (offset, decoded) = decode(slice, at: index, decoder, recycling: &finishedEvent)
                    switch decoded {
                    case .success(let event):
                        context.offset = offset
                        context.attempt = 1
                        do {
                            if let synchronousProcessor {
                                try synchronousProcessor.processSynchronously(event, context: context)
                            } else {
                                try await processor.process(event, context: context)
                            }
                            tally.processed += 1
                            outcome = .finished
                        } catch {
                            handOver(&tally)
                            outcome = await retry(event, slice[index], after: error, context: &context)
                        }
                        finishedEvent = event
                    case .failure(let invalid):
                        handOver(&tally)
                        statistics.addInvalid()
                        outcome = await giveUp(slice[index], failure: invalid.failure, message: invalid.message, attempts: 0, firstFailure: Date())
                    }
                    guard outcome == .finished else {
                        settle(handingOver: &tally)
                        return
                    }
                    finishedNext.store(offset + 1, ordering: .releasing)
                    tally.finished += 1
                    guard isRunning.load(ordering: .relaxed) else {
                        settle(handingOver: &tally)
                        return
                    }
                }
                settle(handingOver: &tally)
            }
        }
    }

    /// Records of the current slice finished (and processed) by the processing task, not yet added to
    /// `unsettled` and the statistics.
    private struct SliceTally {
        var finished = 0
        var processed = 0
    }

    /// Adds the tally to the counts `settle()` takes, and resets it. Before anything that may settle.
    /// Processed events go straight to the shared statistics (still once per slice, not per event): held
    /// back until the next `settle()`, they were missing from the shutdown summary when the worker was
    /// abandoned in a dead-letter write or a retry (`processed=0` after 40 processed events).
    private func handOver(_ tally: inout SliceTally) {
        unsettled.add(tally.finished, ordering: .relaxed)
        if tally.processed > 0 { statistics.addProcessed(tally.processed) }
        tally = SliceTally()
    }

    /// `settle()`, with the slice's tally counted in.
    private func settle(handingOver tally: inout SliceTally) {
        handOver(&tally)
        settle()
    }

    /// A copy of `logger` whose handler lives in memory of its own. A copied `Logger` shares its handler
    /// with the original, and every level check (`logger.info` below the level, once per event in the
    /// default processor) reference-counts that shared handler: with every worker doing so on both cores,
    /// its count's cache line moved between them for every event. Setting the level (to itself) makes the
    /// copy-on-write `Logger` and the handler's existential box copy themselves, once per worker; what the
    /// logger writes is unchanged.
    private func privateCopy(of logger: Logger) -> Logger {
        var copy = logger
        copy.logLevel = logger.logLevel
        return copy
    }

    /// The next batch, after letting go of `finishedEvent`: an event decoded in place holds its record's
    /// arena (the memory of the record's whole run), which must not stay pinned while the worker idles.
    /// Within a batch the event is kept for recycling; between batches its memory is allocated anew.
    private func nextBatchReleasing(_ finishedEvent: inout EnrichedEvent?) async -> [ArraySlice<KafkaRecord>]? {
        finishedEvent = nil
        return await nextBatch()
    }

    private func nextBatch() async -> [ArraySlice<KafkaRecord>]? {
        await withCheckedContinuation { continuation in
            state.withLock { state in
                if state.lifecycle != .running {
                    continuation.resume(returning: nil)
                } else if !state.inbox.isEmpty {
                    let batch = state.inbox
                    state.inbox = []
                    continuation.resume(returning: batch)
                } else {
                    state.waiter = continuation
                }
            }
        }
    }

    /// Bookkeeping for the records finished since the last call, once per slice rather than per record:
    /// the buffer count, flow control, backpressure, and storing the finished position. Also called
    /// before any wait, so that work finished earlier in the slice is not held back by a long backoff,
    /// an unavailable dead-letter topic or a halted partition.
    private func settle() {
        let count = unsettled.exchange(0, ordering: .relaxed)
        state.withLock { state in
            guard state.lifecycle != .revoked else { return }
            state.buffered -= count
            if state.buffered <= settings.resumeBufferedPerPartition {
                apply(state.removePauseReason(.backpressure))
            }
            settleFlow(&state)
            recordFinishedWork(&state)
            if let next = state.offsets.takeStore() {
                control.storeOffsets([TopicPartitionOffset(topicPartition, offset: next)])
            }
        }
    }

    /// Brings this partition's share of `FlowControl` in line with its state. Under the lock.
    private func settleFlow(_ state: inout PartitionState) {
        let owed = state.recordsOwedToFlow
        flow.adjust(by: owed - state.countedInFlow)
        state.countedInFlow = owed
    }

    /// Moves the processing task's finished position into the offset tracker. Under the lock.
    private func recordFinishedWork(_ state: inout PartitionState) {
        let next = finishedNext.load(ordering: .acquiring)
        if next >= 0 { state.offsets.markFinished(offset: next - 1) }
    }

    // MARK: One record

    enum RecordOutcome: Equatable {
        /// Processed, or given up on and dead-lettered: the offset may be committed.
        case finished
        /// Not finished (revoked, shutting down, halted): the offset must not be committed.
        case abandoned
    }

    /// Why a record is not an event: its failure class and a message for the dead letter.
    struct InvalidRecord: Error {
        var failure: FailureClass
        var message: String
    }

    /// The record's offset, and its value decoded where it is, in the record's arena (no copy of the value
    /// or of the record), into the memory of `recycled` when it can be reused. The event keeps the arena
    /// alive.
    private func decode(
        _ records: ArraySlice<KafkaRecord>, at index: Int, _ decoder: EnrichedEventDecoder,
        recycling recycled: inout EnrichedEvent?
    ) -> (offset: Int64, result: Result<EnrichedEvent, InvalidRecord>) {
        // Through a buffer pointer: `records[index]`, even only to read its offset, copied the record
        // (reference counting its storage) for every event.
        records.withUnsafeBufferPointer { buffer in
            let position = index - records.startIndex
            return (buffer[position].offset, decode(buffer[position], decoder, recycling: &recycled))
        }
    }

    /// Whether record values carry the padding the decoder needs to read them in place. Both are 32
    /// today; should the decoder ever need more, values are copied again rather than over-read.
    private static let decodesInPlace = KafkaRecord.valuePadding >= EnrichedEventDecoder.requiredPadding

    private func decode(
        _ record: borrowing KafkaRecord, _ decoder: EnrichedEventDecoder, recycling recycled: inout EnrichedEvent?
    ) -> Result<EnrichedEvent, InvalidRecord> {
        record.withUnsafePaddedValue { value, owner in
            guard let value else {
                return .failure(InvalidRecord(failure: .tombstone, message: "the record has a null value (tombstone)"))
            }
            do throws(EventDecodingError) {
                if Self.decodesInPlace {
                    return .success(try decoder.decode(paddedBytes: value, owner: owner, recycling: &recycled))
                }
                return .success(try decoder.decode(value, recycling: &recycled))
            } catch {
                return .failure(InvalidRecord(failure: FailureClass(error.errorClass), message: error.description))
            }
        }
    }

    /// After the first attempt failed with `firstError`: retries with backoff (the partition paused
    /// meanwhile), and dead-letters (or halts on) what does not succeed.
    private func retry(
        _ event: EnrichedEvent, _ record: KafkaRecord, after firstError: any Error, context: inout ProcessingContext
    ) async -> RecordOutcome {
        var attempt = 1
        var error = firstError
        let firstFailure = Date()
        while true {
            statistics.addFailedAttempt()
            if isRevoked { return .abandoned }
            if let rejection = error as? PermanentProcessingError {
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
            do {
                context.offset = record.offset
                context.attempt = attempt
                try await processor.process(event, context: context)
                statistics.addProcessed(1)
                clearPause(.retryBackoff)
                return .finished
            } catch let next {
                error = next
            }
        }
    }

    /// Sends `record` to the dead-letter sink — retrying, with the partition paused, until it is written —
    /// or halts the partition when dead-lettering is disabled.
    private func giveUp(_ record: KafkaRecord, failure: FailureClass, message: String, attempts: Int, firstFailure: Date) async -> RecordOutcome {
        guard let deadLetters else { return await halt(record, failure: failure, message: message) }
        let letter = DeadLetter(record: record, failure: failure, message: message, attempts: attempts, firstFailure: firstFailure, lastFailure: Date())
        var sendAttempt = 1
        while true {
            do {
                try await deadLetters.send(letter)
                statistics.addDeadLettered()
                if sendAttempt > 1 { clearPause(.deadLetterUnavailable) }
                logger.error(
                    "Message dead-lettered: \(message)",
                    metadata: metadata(record, ["error_class": "\(failure)", "attempts": "\(attempts)"])
                )
                return .finished
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
    private func halt(_ record: KafkaRecord, failure: FailureClass, message: String) async -> RecordOutcome {
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

    private var isRevoked: Bool { state.withLock { $0.lifecycle == .revoked } }

    /// Sleeps for `delay`; returns false when the partition stopped or was revoked meanwhile.
    private func wait(_ delay: Duration) async -> Bool {
        // Finished events before the waiting one (same batch) must not wait with it: a halted partition
        // waits forever, a backoff or an unavailable dead-letter topic for a long time.
        settle()
        let proceed = state.withLock { state -> Bool in
            guard state.lifecycle == .running else { return false }
            state.isWaitingOnBackoff = true
            return true
        }
        guard proceed else { return false }
        let slept = (try? await Task.sleep(for: delay)) != nil
        return state.withLock { state in
            state.isWaitingOnBackoff = false
            return slept && state.lifecycle == .running
        }
    }

    private func setPause(_ reason: PauseReason) {
        state.withLock { state in
            apply(state.addPauseReason(reason))
            settleFlow(&state)
        }
    }

    private func clearPause(_ reason: PauseReason) {
        state.withLock { state in
            apply(state.removePauseReason(reason))
            settleFlow(&state)
        }
    }

    /// Issues a pause/resume request. Must be called with the state lock held (see `PartitionState`).
    private func apply(_ change: PartitionState.FetchChange) {
        switch change {
        case .none: break
        case .pause: control.pause([topicPartition])
        case .resume: control.resume([topicPartition])
        }
    }

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
