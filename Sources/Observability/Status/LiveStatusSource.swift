import Kafka
import ProcessingCore

/// The running service's `StatusSource`: combines the consumer (assignment, paused partitions, poll
/// heartbeat, errors), the pipeline (totals, next offsets, pause reasons) and the `ConsumerMonitor`
/// (watermarks, committed offsets, statistics, rates). Everything is read from memory.
public struct LiveStatusSource: StatusSource {
    /// Longer than this without a poll-loop iteration means it is stuck (it goes round every ≤ 100 ms).
    public static let livenessWindow: Duration = .seconds(30)
    /// Offsets older than this are not used for lag: unknown is absent, not stale.
    public static let offsetsMaxAge: Duration = .seconds(15)
    /// A statistics document older than this says nothing about the connection now.
    public static let statisticsMaxAge: Duration = .seconds(10)

    let consumer: KafkaConsumer
    let pipeline: any PipelineSnapshotSource
    let monitor: ConsumerMonitor
    let lifecycle: ServiceLifecycleState
    let topic: String
    let group: String
    let version: String
    /// Readiness checks beyond Kafka's (e.g. "sink reachable"), evaluated per request.
    let extraReadinessChecks: @Sendable () -> [ProbeReport.Check]

    public init(
        consumer: KafkaConsumer, pipeline: any PipelineSnapshotSource, monitor: ConsumerMonitor,
        lifecycle: ServiceLifecycleState, topic: String, group: String, version: String,
        extraReadinessChecks: @escaping @Sendable () -> [ProbeReport.Check] = { [] }
    ) {
        self.consumer = consumer
        self.pipeline = pipeline
        self.monitor = monitor
        self.lifecycle = lifecycle
        self.topic = topic
        self.group = group
        self.version = version
        self.extraReadinessChecks = extraReadinessChecks
    }

    public func status() -> ServiceStatus {
        status(pipeline: pipeline.pipelineSnapshot())
    }

    /// The status built from an already taken pipeline snapshot (`/metrics` uses both).
    func status(pipeline snapshot: PipelineSnapshot) -> ServiceStatus {
        let now = ContinuousClock.now
        let monitored = monitor.snapshot
        let offsetsFresh = monitored.offsetsAt.map { now - $0 <= Self.offsetsMaxAge } ?? false
        let paused = consumer.pausedPartitions
        let partitions = consumer.assignment.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }.map { partition in
            let offsets = offsetsFresh ? monitored.offsets[partition] : nil
            let progress = snapshot.progress[partition]
            // Next to process: after the last finished event; before any finished, where the partition
            // starts (the committed offset, or the log's start when nothing was committed).
            let next = progress?.nextOffset ?? offsets?.committed ?? offsets?.lowWatermark
            return PartitionStatus(
                topic: partition.topic, partition: partition.partition,
                committedOffset: offsets?.committed, nextOffset: next, highWatermark: offsets?.highWatermark,
                paused: paused.contains(partition) || !(progress?.pauseReasons.isEmpty ?? true),
                pauseReasons: progress?.pauseReasons ?? [],
                consumed: snapshot.consumedByPartition[partition] ?? 0
            )
        }
        let lastError = consumer.observations.lastError.map {
            ServiceStatus.LastError(message: $0.message, kind: "\($0.kind)", secondsAgo: (now - $0.at).inSeconds)
        }
        return ServiceStatus(
            state: lifecycle.current, version: version, topic: topic, group: group,
            memberId: monitored.memberID, groupJoinState: monitored.statistics?.joinState,
            brokersConnected: freshStatistics(monitored, now: now)?.brokersUp,
            partitions: partitions, totals: snapshot.totals, rates: monitored.rates, lastError: lastError,
            offsetsAgeSeconds: monitored.offsetsAt.map { (now - $0).inSeconds }
        )
    }

    public func liveness() -> ProbeReport {
        let observations = consumer.observations
        var checks: [ProbeReport.Check] = []
        if let fatal = observations.fatalError {
            checks.append(.init(name: "kafka_client", ok: false, detail: "fatal Kafka error: \(fatal)"))
        } else {
            checks.append(.init(name: "kafka_client", ok: true, detail: "no fatal error"))
        }
        if let lastPoll = observations.lastPoll {
            let age = ContinuousClock.now - lastPoll
            checks.append(.init(
                name: "poll_loop", ok: age <= Self.livenessWindow,
                detail: age <= Self.livenessWindow
                    ? "polled \(Self.milliseconds(age)) ms ago"
                    : "no poll for \(Self.milliseconds(age)) ms (window \(Self.milliseconds(Self.livenessWindow)) ms)"))
        } else {
            checks.append(.init(name: "poll_loop", ok: true, detail: "not started yet (starting up)"))
        }
        return ProbeReport(checks: checks)
    }

    public func readiness() -> ProbeReport {
        let now = ContinuousClock.now
        let monitored = monitor.snapshot
        let state = lifecycle.current
        var checks: [ProbeReport.Check] = [
            .init(name: "not_shutting_down", ok: state != .draining, detail: state == .draining ? "shutting down" : "\(state)")
        ]
        let statistics = freshStatistics(monitored, now: now)
        if let statistics {
            checks.append(.init(
                name: "kafka_connected", ok: statistics.brokersUp > 0,
                detail: "\(statistics.brokersUp) of \(statistics.brokersKnown) brokers connected"))
            let settled = statistics.isGroupSettled
            checks.append(.init(
                name: "group_member", ok: settled,
                detail: settled
                    ? "member of \(group) with \(statistics.assignmentSize ?? consumer.assignment.count) partitions"
                    : "group state \(statistics.groupState ?? "unknown"), join state \(statistics.joinState ?? "unknown")"))
        } else {
            checks.append(.init(name: "kafka_connected", ok: false, detail: "no recent client statistics"))
            checks.append(.init(name: "group_member", ok: false, detail: "not known to be in the group yet"))
        }
        checks.append(contentsOf: extraReadinessChecks())
        return ProbeReport(checks: checks)
    }

    private func freshStatistics(_ snapshot: ConsumerMonitor.Snapshot, now: ContinuousClock.Instant) -> KafkaStatistics? {
        guard let at = snapshot.statisticsAt, now - at <= Self.statisticsMaxAge else { return nil }
        return snapshot.statistics
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
