import Kafka
import Logging
import ServiceLifecycle
import Synchronization

/// Refreshes, in the background, what the endpoints read but must not wait for: committed offsets and high
/// watermarks of the assigned partitions (queried from the brokers on the consumer's handle, paused
/// partitions included), the member id, librdkafka's statistics (parsed here, off the poll thread) and the
/// rate window.
///
/// Two loops: the offsets query (which may wait for a broker up to `queryTimeout`) runs apart from the
/// one-second loop of everything else, so a broker outage does not freeze the rates or the statistics.
public final class ConsumerMonitor: Service, Sendable {
    /// What the monitor last learned.
    public struct Snapshot: Sendable {
        public var offsets: [TopicPartition: PartitionOffsets] = [:]
        /// When `offsets` were read.
        public var offsetsAt: ContinuousClock.Instant?
        public var statistics: KafkaStatistics?
        /// When the statistics document was produced (received from librdkafka).
        public var statisticsAt: ContinuousClock.Instant?
        public var memberID = ""
        public var rates = ServiceStatus.Rates()
    }

    private let consumer: KafkaConsumer
    private let pipeline: any PipelineSnapshotSource
    private let lifecycle: ServiceLifecycleState
    private let interval: Duration
    private let queryTimeout: Duration
    private let startsAtEarliest: Bool
    private let logger: Logger
    private let state = Mutex(Snapshot())
    private let rateWindow = Mutex(RateWindow())

    /// - Parameters:
    ///   - interval: how often everything is refreshed (offsets: as often, after each answer).
    ///   - startsAtEarliest: `auto.offset.reset=earliest`: a partition with no committed offset starts at
    ///     its low watermark (asked for only then).
    public init(
        consumer: KafkaConsumer, pipeline: any PipelineSnapshotSource, lifecycle: ServiceLifecycleState,
        interval: Duration = .seconds(1), queryTimeout: Duration = .seconds(5), startsAtEarliest: Bool, logger: Logger
    ) {
        self.consumer = consumer
        self.pipeline = pipeline
        self.lifecycle = lifecycle
        self.interval = interval
        self.queryTimeout = queryTimeout
        self.startsAtEarliest = startsAtEarliest
        self.logger = logger
    }

    public var snapshot: Snapshot { state.withLock { $0 } }

    public func run() async throws {
        // Ends with the group: cancelled on graceful shutdown after the consumer has finished (the group
        // shuts services down in reverse order; the monitor sits before the consumer).
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.offsetsLoop() }
                group.addTask { await self.refreshLoop() }
            }
        }
    }

    // MARK: Loops

    private func refreshLoop() async {
        while !Task.isCancelled {
            refreshOnce()
            try? await Task.sleep(for: interval)
        }
    }

    private func offsetsLoop() async {
        while !Task.isCancelled {
            await refreshOffsets()
            try? await Task.sleep(for: interval)
        }
    }

    /// Statistics, member state and rates (no broker round trip except the member id's local read).
    func refreshOnce() {
        let now = ContinuousClock.now
        let document = consumer.observations.statistics
        let previousAt = state.withLock { $0.statisticsAt }
        var parsed: KafkaStatistics?
        if let document, document.receivedAt != previousAt {
            parsed = KafkaStatistics(json: document.json)
        }
        let totals = pipeline.pipelineSnapshot().totals
        let rates = rateWindow.withLock { window in
            window.add(totals, at: now)
            return window.rates
        }
        let settled = state.withLock { snapshot -> Bool in
            if let parsed, let document {
                snapshot.statistics = parsed
                snapshot.statisticsAt = document.receivedAt
            }
            snapshot.rates = rates
            return snapshot.statistics?.isGroupSettled ?? false
        }
        if settled || consumer.observations.rebalances(.assigned) > 0 {
            lifecycle.markRunning()
        }
    }

    /// Committed offsets and watermarks of the current assignment, and the member id.
    func refreshOffsets() async {
        let assignment = Array(consumer.assignment)
        let memberID = await consumer.memberID()
        guard !assignment.isEmpty else {
            state.withLock { snapshot in
                snapshot.offsets = [:]
                snapshot.offsetsAt = ContinuousClock.now
                if let memberID { snapshot.memberID = memberID }
            }
            return
        }
        let previous = state.withLock { $0.offsets }
        // Low watermarks only where a partition's start is otherwise unknown (no committed offset yet).
        let needLow: Set<TopicPartition> = startsAtEarliest
            ? Set(assignment.filter { previous[$0]?.committed == nil && previous[$0]?.lowWatermark == nil }) : []
        do {
            var offsets = try await consumer.partitionOffsets(of: assignment, lowWatermarksOf: needLow, timeout: queryTimeout)
            for (partition, known) in previous where offsets[partition] != nil && offsets[partition]?.lowWatermark == nil {
                offsets[partition]?.lowWatermark = known.lowWatermark
            }
            let answered = offsets
            state.withLock { snapshot in
                snapshot.offsets = answered
                snapshot.offsetsAt = ContinuousClock.now
                if let memberID { snapshot.memberID = memberID }
            }
        } catch {
            if error.kind != .closed {
                logger.debug("Offsets query failed", metadata: ["error": "\(error)"])
            }
            if let memberID { state.withLock { $0.memberID = memberID } }
        }
    }
}
