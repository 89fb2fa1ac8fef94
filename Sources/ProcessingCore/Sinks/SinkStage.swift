import Kafka
import Logging
import Synchronization

/// The pipeline's ``ProcessedEventStage`` for an ``EventSink``: each partition's processed work goes to a
/// ``SinkBatcher``, and a work is marked finished (its offsets stored for commit) only once the batcher
/// released its partition past it — that is, once every event of the work, and of the partition's earlier
/// works, is durable.
///
/// - Backpressure: `accept` returns once the work is handed over and the batcher holds fewer than
///   `maxPendingEvents` events; otherwise it waits (the store is slow or down). The partition's records
///   then wait in the pipeline, which pauses the partition while the consumer keeps polling: no eviction,
///   bounded memory.
/// - Revoke: the pipeline cancels the partition's task (so a waiting `accept` returns) and ignores
///   `markFinished` from then on. A partition assigned again gets a new `ProcessedWork.partition`; the
///   stage then forgets the old assignment's positions, so they neither hold back nor advance the new one.
/// - Shutdown: ``drain()`` writes what is held (at once, not at the batch timeout) and returns when it is
///   durable and marked; the pipeline bounds it by `SHUTDOWN_TIMEOUT`.
///
/// Run ``run()`` (e.g. through `SinkService`) for the stage to write anything.
public final class SinkStage: ProcessedEventStage, SinkReachability {
    /// A partition's works not yet marked finished, oldest first, for the assignment that handed them over.
    private struct PartitionWorks {
        var assignment: ObjectIdentifier
        var works: [ProcessedWork] = []
    }

    public let batcher: SinkBatcher
    private let maxPendingEvents: Int
    private let works = Mutex<[TopicPartition: PartitionWorks]>([:])

    /// - Parameters:
    ///   - pipelineStatistics: the pipeline's counters (give the pipeline the same): the events the store
    ///     rejected and the stage dead-lettered count there as dead letters of class `sink_rejected`.
    ///   - maxPendingEvents: how many events the stage may hold before `accept` waits; default two
    ///     batches and a half, so one batch is written while the next fills.
    public init(
        sink: any EventSink, deadLetters: (any DeadLetterSink)?, settings: SinkBatchSettings,
        pipelineStatistics: ProcessingStatistics? = nil, observer: any SinkObserver = NoSinkObserver(), logger: Logger,
        maxPendingEvents: Int? = nil
    ) {
        self.maxPendingEvents = maxPendingEvents ?? settings.batchSize * 5 / 2
        let box = ReleaseTarget()
        self.batcher = SinkBatcher(
            sink: sink, deadLetters: deadLetters, settings: settings, pipelineStatistics: pipelineStatistics,
            observer: observer, logger: logger, onRelease: { box.stage?.release($0) })
        box.stage = self
    }

    /// Whether the store took the last write; false while it is unavailable (readiness).
    public var isStoreReachable: Bool { batcher.isStoreReachable }

    /// The batcher's counters.
    public var statistics: SinkStatistics { batcher.statistics }

    public func accept(_ work: ProcessedWork) async {
        let partition = work.topicPartition
        let assignment = ObjectIdentifier(work.partition)
        // Registered before the batcher sees the work, so its release cannot come first. Never call the
        // batcher under `works`: the batcher calls `release` under its own lock.
        let reassigned = works.withLock { all -> Bool in
            if var entry = all[partition], entry.assignment == assignment {
                entry.works.append(work)
                all[partition] = entry
                return false
            }
            all[partition] = PartitionWorks(assignment: assignment, works: [work])
            return true
        }
        if reassigned { batcher.forget(partition) }
        batcher.submit(work.events, through: (partition, work.through))
        await batcher.waitForRoom(below: maxPendingEvents)
    }

    public func drain() async {
        batcher.finish()
        // Everything submitted is settled (written, or dead-lettered) once nothing is pending.
        await batcher.waitForRoom(below: 1)
    }

    /// Writes batches until drained or cancelled (see ``SinkBatcher/run()``).
    public func run() async {
        await batcher.run()
    }

    /// Marks finished the latest work of each released partition whose end the release reached (earlier
    /// works are covered by it). Called by the batcher, under its lock.
    private func release(_ positions: [TopicPartitionOffset]) {
        let finished = works.withLock { all -> [ProcessedWork] in
            var finished: [ProcessedWork] = []
            for position in positions {
                guard var entry = all[position.topicPartition] else { continue }
                let done = entry.works.prefix { $0.through <= position.offset }
                guard let last = done.last else { continue }
                entry.works.removeFirst(done.count)
                all[position.topicPartition] = entry
                finished.append(last)
            }
            return finished
        }
        for work in finished { work.markFinished() }
    }
}

/// The stage, for the batcher's release callback, which is created before the stage exists.
private final class ReleaseTarget: @unchecked Sendable {
    // Set once in `SinkStage.init`, before the batcher can call back; read afterwards only.
    weak var stage: SinkStage?
}

/// Whether the event store is reachable, for readiness (`/readyz`).
public protocol SinkReachability: Sendable {
    /// False while writes find the store unavailable; true once one succeeded (or before the first).
    var isStoreReachable: Bool { get }
}
