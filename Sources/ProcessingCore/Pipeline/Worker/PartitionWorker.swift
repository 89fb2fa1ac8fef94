import EventModel
import Kafka
import Logging
import Synchronization

/// The processing loop of one assigned partition: takes the records handed over, and for each, in
/// offset order, decodes it (`RecordDecoder`), has it handled (`RecordHandler`: process, retry, give
/// up) and passes it on as finished (`FinishedRecordOutput`: at once, or to a `ProcessedEventStage`);
/// once per slice it settles the bookkeeping (`AssignedPartition.settle`).
///
/// Threads: `enqueue`, `revoke` and `stop` are called by the pipeline on the consumer's poll thread;
/// the loop runs in the worker's own task on a `ProcessingExecutor`. Both sides meet only in
/// `AssignedPartition`, under its lock.
///
/// Hot path, per record that is processed at its first attempt: the decode, the processor's call
/// (direct for a `SynchronousEventProcessor`), one releasing store of the finished position (none with
/// a stage: an append to the run's work instead) and one relaxed load of the running flag. Counts are
/// kept in a local tally and added to shared counters once per slice.
final class PartitionWorker: Sendable {
    let partition: AssignedPartition
    private let handler: RecordHandler
    private let stage: (any ProcessedEventStage)?
    private let statistics: ProcessingStatistics
    private let logger: Logger
    /// Where the processing task runs (see `ProcessingExecutor`).
    private let executor: ProcessingExecutor
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(
        partition: AssignedPartition,
        processor: any EventProcessor,
        deadLetters: (any DeadLetterSink)?,
        stage: (any ProcessedEventStage)?,
        settings: PipelineSettings,
        statistics: ProcessingStatistics,
        executor: ProcessingExecutor,
        logger: Logger
    ) {
        self.partition = partition
        self.handler = RecordHandler(
            partition: partition, processor: processor, deadLetters: deadLetters, settings: settings,
            statistics: statistics, logger: logger)
        self.stage = stage
        self.statistics = statistics
        self.executor = executor
        self.logger = logger
    }

    var topicPartition: TopicPartition { partition.topicPartition }

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
        partition.enqueue(records)
    }

    /// The partition is being revoked (or was lost): drop what is buffered, let the event in flight run
    /// out with its result ignored, and return the finished position, to be stored before the partition
    /// goes. After this returns the worker requests nothing more from the consumer.
    func revoke() -> Int64? {
        let position = partition.revoke()
        // In-flight processing and backoff sleeps see the cancellation; their results are dropped anyway.
        task.withLock { $0 }?.cancel()
        return position
    }

    /// Graceful shutdown: take nothing more, let the event in flight finish (its offset is still stored),
    /// and cut short any backoff wait.
    func stop() {
        if partition.stop() { task.withLock { $0 }?.cancel() }
    }

    // MARK: Processing task

    private func run() async {
        if let stage {
            var output = CollectForStage(stage: stage, partition: partition)
            await run(&output)
        } else {
            var output = FinishAtOnce(partition: partition)
            await run(&output)
        }
    }

    /// The record loop, specialized for each `FinishedRecordOutput`.
    private func run<Output: FinishedRecordOutput>(_ output: inout Output) async {
        let partition = self.partition
        let handler = self.handler
        let decoder = RecordDecoder()
        // One context for the worker's life, updated per record: building one per record copied the
        // logger (and reference-counted its handler, shared by every worker) for every event.
        var context = ProcessingContext(topicPartition: topicPartition, offset: -1, attempt: 1, logger: privateCopy(of: logger))
        // The event just finished with: the decoder reuses its memory for the next one unless the
        // processor (or a stage) kept a copy.
        var finishedEvent: EnrichedEvent?
        // Durations and ages of first attempts, sampled and merged per slice (see `AttemptSampler`).
        var sampler = AttemptSampler(histograms: statistics.histograms)
        while let slices = await nextBatchReleasing(&finishedEvent) {
            for slice in slices {
                // Counted here and added to the shared counts once per slice: an atomic add per record
                // cost two locked instructions per event.
                var tally = SliceTally()
                // By index, reading the record in place: `for record in slice` copied every record
                // (reference counting its storage) only to read its offset and value.
                for index in slice.indices {
                    let (offset, decoded) = decoder.decode(slice, at: index, recycling: &finishedEvent)
                    switch decoded {
                    case .success(let event):
                        let started = sampler.attemptBegins()
                        do {
                            try await handler.process(event, at: offset, context: &context)
                            sampler.attemptEnded(started: started, succeeded: true, timestamp: Self.timestamp(slice, index))
                            tally.processed += 1
                            output.processed(slice, at: index, offset: offset, event: event)
                        } catch {
                            sampler.attemptEnded(started: started, succeeded: false, timestamp: nil)
                            // What finished before this record must not wait with it (a backoff, an
                            // unavailable dead-letter topic, a halted partition).
                            await settle(&tally, &output, &sampler)
                            switch await handler.retry(event, slice[index], after: error, context: &context) {
                            case .finished(processed: true):
                                tally.processed += 1
                                output.processed(slice, at: index, offset: offset, event: event)
                            case .finished(processed: false):
                                output.gaveUp(offset: offset)
                            case .abandoned:
                                return
                            }
                        }
                        finishedEvent = event
                    case .failure(let invalid):
                        await settle(&tally, &output, &sampler)
                        guard await handler.reject(slice[index], invalid) != .abandoned else { return }
                        output.gaveUp(offset: offset)
                    }
                    tally.finished += 1
                    guard partition.isRunning else {
                        await settle(&tally, &output, &sampler)
                        return
                    }
                }
                await settle(&tally, &output, &sampler)
            }
        }
    }

    /// Records of the current slice finished (and processed) and not yet settled.
    private struct SliceTally {
        var finished = 0
        var processed = 0
    }

    /// Hands the collected work on, adds the tally to the shared counts and settles the partition's
    /// bookkeeping (storing the finished position when no stage holds it back); resets the tally.
    /// Once per slice, and before anything that may wait.
    private func settle<Output: FinishedRecordOutput>(
        _ tally: inout SliceTally, _ output: inout Output, _ sampler: inout AttemptSampler
    ) async {
        await output.handOver()
        sampler.merge()
        if tally.processed > 0 { statistics.addProcessed(tally.processed) }
        partition.settle(records: tally.finished, storePosition: Output.storesPosition && tally.finished > 0)
        tally = SliceTally()
    }

    /// The record's timestamp, read in place (only for the attempts the sampler times).
    private static func timestamp(_ records: ArraySlice<KafkaRecord>, _ index: Int) -> Int64? {
        records.withUnsafeBufferPointer { $0[index - records.startIndex].timestampMilliseconds }
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
    private func nextBatchReleasing(_ finishedEvent: inout EnrichedEvent?) async -> RecordInbox.Batch? {
        finishedEvent = nil
        return await partition.nextBatch()
    }
}
