import Foundation
import Kafka
import Logging
import Synchronization

/// Connects the consumer to the partition workers: one `PartitionWorker` per assigned partition,
/// created on assign, revoked on revoke, stopped on shutdown.
///
/// Stages of a record: the consumer's poll thread hands it to its partition (`AssignedPartition`); the
/// partition's worker decodes it (`RecordDecoder`), processes it with retries, dead-letters or halts on
/// it (`RecordHandler`), then passes it on as finished (`FinishedRecordOutput`), to an optional
/// `ProcessedEventStage` that can hold its offset back until the event is durable; the finished
/// position (`FinishedPosition`) is stored for commit.
///
/// It is the consumer's delegate, so every callback below runs on the consumer's poll thread, in the
/// order the consumer guarantees (assign before records, revoke after the last record). Callbacks do
/// no processing: they hand records to workers and return (`receive` then waits up to 100 ms while the
/// pipeline is full, see `FlowControl`).
public final class EventPipeline: KafkaConsumerDelegate {
    private let workers = Mutex<[TopicPartition: PartitionWorker]>([:])
    private let processor: any EventProcessor
    private let deadLetters: (any DeadLetterSink)?
    private let stage: (any ProcessedEventStage)?
    private let settings: PipelineSettings
    private let logger: Logger
    private let flow: FlowControl
    private let executor: ProcessingExecutor
    /// What the pipeline did so far (with the dead letters a sink stage writes, when it was given the same
    /// counters).
    public let statistics: ProcessingStatistics
    /// Records consumed from partitions since revoked (their workers are gone; counters never go back).
    private let consumedOfRevoked = Mutex<[TopicPartition: Int]>([:])

    /// - Parameters:
    ///   - processedEvents: the stage after the processor that decides when processed events are
    ///     finished (e.g. stored in batches; see `ProcessedEventStage`). nil: finished as soon as processed.
    ///   - executor: where the partition workers process; by default threads shared by every pipeline of
    ///     the process, one per core, below the Kafka client's threads in priority.
    ///   - statistics: the counters to add to; pass the ones given to the sink stage, so that the dead
    ///     letters it writes count with the pipeline's (`processing_dead_letters_total`, `/status`, the
    ///     progress line).
    public init(
        processor: any EventProcessor, deadLetters: (any DeadLetterSink)?, settings: PipelineSettings, logger: Logger,
        processedEvents: (any ProcessedEventStage)? = nil, executor: ProcessingExecutor = .shared,
        statistics: ProcessingStatistics = ProcessingStatistics()
    ) {
        self.statistics = statistics
        self.processor = processor
        self.deadLetters = deadLetters
        self.stage = processedEvents
        self.settings = settings
        self.logger = logger
        self.executor = executor
        self.flow = FlowControl(limit: settings.maxInFlightRecords)
    }

    // MARK: KafkaConsumerDelegate

    public func consumer(_ consumer: KafkaConsumer, didAssign partitions: [TopicPartition]) {
        assign(partitions, control: consumer)
    }

    public func consumer(_ consumer: KafkaConsumer, willRevoke partitions: [TopicPartition], lost: Bool) -> [TopicPartitionOffset] {
        revoke(partitions, lost: lost)
    }

    public func consumer(_ consumer: KafkaConsumer, didReceive records: [KafkaRecord]) {
        receive(records)
    }

    public func consumer(_ consumer: KafkaConsumer, didEncounter error: KafkaError) {
        // The consumer has already logged it at warning (and librdkafka's own line came through the log
        // bridge); librdkafka recovers from these by itself, so there is nothing for the pipeline to do.
        logger.debug("Kafka error seen by the pipeline", metadata: ["error_kind": "\(error.kind)", "error_code": "\(error.code)"])
    }

    // MARK: The same, independent of KafkaConsumer (unit-testable)

    /// Creates and starts a worker for each newly assigned partition.
    public func assign(_ partitions: [TopicPartition], control: any ConsumerControl) {
        let created = partitions.map { partition in
            PartitionWorker(
                partition: AssignedPartition(partition, control: control, flow: flow, settings: settings),
                processor: processor, deadLetters: deadLetters, stage: stage, settings: settings,
                statistics: statistics, executor: executor, logger: logger
            )
        }
        workers.withLock { workers in
            for worker in created { workers[worker.topicPartition] = worker }
        }
        for worker in created { worker.start() }
        logger.info("Partitions assigned", metadata: ["partitions": "\(partitions.map(\.description).joined(separator: ","))"])
    }

    /// Revokes the partitions' workers and returns the finished positions to store before they go.
    /// A lost assignment stores nothing: another member may already own the partitions.
    public func revoke(_ partitions: [TopicPartition], lost: Bool) -> [TopicPartitionOffset] {
        let revoked = workers.withLock { workers in partitions.compactMap { workers.removeValue(forKey: $0) } }
        let consumed = revoked.map { ($0.topicPartition, $0.partition.progress().consumed) }
        consumedOfRevoked.withLock { totals in
            for (partition, count) in consumed { totals[partition, default: 0] += count }
        }
        var offsets: [TopicPartitionOffset] = []
        for worker in revoked {
            if let next = worker.revoke(), !lost {
                offsets.append(TopicPartitionOffset(worker.topicPartition, offset: next))
            }
        }
        logger.info(
            lost ? "Partitions lost" : "Partitions revoked",
            metadata: [
                "partitions": "\(partitions.map(\.description).joined(separator: ","))",
                "stored": "\(offsets.map(\.description).joined(separator: ","))",
            ]
        )
        return offsets
    }

    /// Dispatches a batch to the workers, then holds the poll thread back while the pipeline is full
    /// (see `FlowControl`). Records arrive in runs of the same partition, so the worker is looked up
    /// once per run, and each run is handed over as a slice of the batch, without copying records (see
    /// `KafkaRecord.endOfPartitionRun`).
    public func receive(_ records: [KafkaRecord]) {
        guard !records.isEmpty else { return }
        statistics.addReceived(records.count)
        let workers = self.workers.withLock { $0 }
        // Runs are found through a buffer pointer: subscripting the array copied (and reference counted)
        // a record for every comparison.
        records.withUnsafeBufferPointer { buffer in
            var start = 0
            while start < buffer.count {
                let end = KafkaRecord.endOfPartitionRun(in: buffer, startingAt: start)
                let partition = buffer[start].topicPartition
                if let worker = workers[partition] {
                    worker.enqueue(records[start..<end])
                } else {
                    // Cannot happen with the consumer's ordering guarantee; never process unowned records.
                    logger.warning("Dropped records of a partition that is not assigned", metadata: ["partition": "\(partition)"])
                }
                start = end
            }
        }
        flow.waitForRoom(maximumWait: Self.maximumPollHoldBack)
    }

    /// The longest the poll thread is held back at once, so rebalances and requests are still served.
    static let maximumPollHoldBack: TimeInterval = 0.1

    // MARK: Observation (per scrape or status request, never per record)

    /// Each assigned partition's progress: records consumed, next offset to process, pause reasons.
    public func partitionProgress() -> [TopicPartition: PartitionProgress] {
        let current = workers.withLock { $0 }
        return current.mapValues { $0.partition.progress() }
    }

    /// Records consumed per partition since the service started, partitions revoked since included.
    public func consumedByPartition(current progress: [TopicPartition: PartitionProgress]) -> [TopicPartition: Int] {
        var totals = consumedOfRevoked.withLock { $0 }
        for (partition, partitionProgress) in progress { totals[partition, default: 0] += partitionProgress.consumed }
        return totals
    }

    /// Records of flowing partitions waiting in the pipeline now (for tests and diagnostics).
    public var recordsInFlight: Int { flow.count }

    // MARK: Shutdown

    /// Stops taking new events on every partition; events in flight go on to finish.
    public func stopTakingEvents() {
        for worker in workers.withLock({ Array($0.values) }) { worker.stop() }
    }

    /// Waits until every worker finished its event in flight and the `ProcessedEventStage` (if any)
    /// drained, or `timeout` passed. Returns at the timeout even if a processor ignores cancellation:
    /// the waits race, and the first to end answers.
    /// - Returns: true when everything finished in time.
    public func waitForInFlightEvents(timeout: Duration) async -> Bool {
        let current = workers.withLock { Array($0.values) }
        return await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let answer = FirstAnswer(continuation)
            let timer = Task {
                try? await Task.sleep(for: timeout)
                answer.resume(false)
            }
            Task { [stage] in
                for worker in current { await worker.waitUntilFinished() }
                await stage?.drain()
                answer.resume(true)
                timer.cancel()
            }
        }
    }

    /// Cancels every worker's event in flight (after the shutdown timeout): their results are dropped.
    public func abandonInFlightEvents() {
        for worker in workers.withLock({ Array($0.values) }) { _ = worker.revoke() }
    }
}

/// Resumes a continuation with the first of several racing answers and ignores the rest.
private final class FirstAnswer<Value: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<Value, Never>?>

    init(_ continuation: CheckedContinuation<Value, Never>) {
        self.continuation = Mutex(continuation)
    }

    func resume(_ value: Value) {
        continuation.withLock { continuation in
            defer { continuation = nil }
            return continuation
        }?.resume(returning: value)
    }
}
