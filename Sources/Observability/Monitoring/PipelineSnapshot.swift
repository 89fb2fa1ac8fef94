import Kafka
import ProcessingCore

/// What the processing pipeline reports to observers: totals, labelled counts, per-partition progress and
/// the latency histograms. Every count is cumulative since the service started.
public struct PipelineSnapshot: Sendable {
    /// One assigned partition's progress through the pipeline.
    public struct Progress: Sendable, Equatable {
        /// The next offset to process (right after the last finished event), nil when unknown.
        public var nextOffset: Int64?
        /// Why the pipeline holds the partition paused (empty when it flows).
        public var pauseReasons: [String]

        public init(nextOffset: Int64?, pauseReasons: [String]) {
            self.nextOffset = nextOffset
            self.pauseReasons = pauseReasons
        }
    }

    public var totals: ServiceStatus.Totals
    /// Per assigned partition.
    public var progress: [TopicPartition: Progress]
    /// Records consumed per partition, revoked partitions included (counters never go back).
    public var consumedByPartition: [TopicPartition: Int]
    /// Failed processing attempts by failure class (`processing_failed`, `processing_rejected`).
    public var failedAttemptsByClass: [String: Int]
    /// Dead letters by failure class (`invalid_json`, ..., `processing_failed`).
    public var deadLettersByClass: [String: Int]
    /// One processor attempt each (`processing_duration_seconds`), when the pipeline measures it.
    public var processingDuration: LatencyHistogram?
    /// Record timestamp → finished (`processing_event_age_seconds`), when the pipeline measures it.
    public var eventAge: LatencyHistogram?

    public init(
        totals: ServiceStatus.Totals, progress: [TopicPartition: Progress] = [:],
        consumedByPartition: [TopicPartition: Int] = [:], failedAttemptsByClass: [String: Int] = [:],
        deadLettersByClass: [String: Int] = [:], processingDuration: LatencyHistogram? = nil, eventAge: LatencyHistogram? = nil
    ) {
        self.totals = totals
        self.progress = progress
        self.consumedByPartition = consumedByPartition
        self.failedAttemptsByClass = failedAttemptsByClass
        self.deadLettersByClass = deadLettersByClass
        self.processingDuration = processingDuration
        self.eventAge = eventAge
    }
}

/// Where a `PipelineSnapshot` comes from (the running `EventPipeline`, or a test's stand-in).
public protocol PipelineSnapshotSource: Sendable {
    func pipelineSnapshot() -> PipelineSnapshot
}
