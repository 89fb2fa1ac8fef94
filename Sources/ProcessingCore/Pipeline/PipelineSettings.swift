/// How the pipeline processes, retries, buffers and dead-letters. Built from `ServiceConfiguration`.
public struct PipelineSettings: Sendable {
    /// Attempts and backoff for a failing processor.
    public var retryPolicy: BackoffPolicy
    /// Backoff between tries to write a dead letter while the dead-letter topic is unavailable
    /// (tried until it succeeds or the partition is revoked; its attempt limit is ignored).
    public var deadLetterBackoff: BackoffPolicy
    /// Most records (of partitions not paused) that may wait in the pipeline before the consumer's poll
    /// thread is held back: the bound on the pipeline's memory when processing is slower than fetching.
    public var maxInFlightRecords: Int
    /// Pause a partition once this many of its records wait in the pipeline (one slow partition must not
    /// take the whole `maxInFlightRecords` budget) ...
    public var maxBufferedPerPartition: Int
    /// ... and resume it when no more than this many are left.
    public var resumeBufferedPerPartition: Int
    /// The consumer group, written into dead-letter headers.
    public var consumerGroup: String
    /// How often a halted partition repeats its error log line.
    public var haltReminderInterval: Duration

    public init(
        retryPolicy: BackoffPolicy,
        deadLetterBackoff: BackoffPolicy,
        maxInFlightRecords: Int = 2_048,
        maxBufferedPerPartition: Int = 2_000,
        resumeBufferedPerPartition: Int = 500,
        consumerGroup: String,
        haltReminderInterval: Duration = .seconds(60)
    ) {
        self.retryPolicy = retryPolicy
        self.deadLetterBackoff = deadLetterBackoff
        self.maxInFlightRecords = maxInFlightRecords
        self.maxBufferedPerPartition = maxBufferedPerPartition
        self.resumeBufferedPerPartition = resumeBufferedPerPartition
        self.consumerGroup = consumerGroup
        self.haltReminderInterval = haltReminderInterval
    }
}
