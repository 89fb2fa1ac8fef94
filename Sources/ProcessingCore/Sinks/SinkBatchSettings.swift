/// How the sink stage forms batches and how patiently it retries.
public struct SinkBatchSettings: Sendable, Equatable {
    /// `SINK_BATCH_SIZE`: a batch is written as soon as it holds this many events (≥ 1).
    public var batchSize: Int
    /// `SINK_BATCH_TIMEOUT`: ...or when its first event has waited this long (> 0).
    public var batchTimeout: Duration
    /// Waits between attempts to write a batch while the store is unavailable. Only the delays are used:
    /// the stage retries for as long as it takes (never skips a batch), so `maxAttempts` is ignored.
    public var unavailableBackoff: BackoffPolicy
    /// Waits between attempts to dead-letter an event the store rejected.
    public var deadLetterBackoff: BackoffPolicy
    /// While the store stays unavailable, how often the stage repeats its error line.
    public var unavailableReminderInterval: Duration

    public init(
        batchSize: Int = 1000,
        batchTimeout: Duration = .milliseconds(200),
        unavailableBackoff: BackoffPolicy = SinkBatchSettings.defaultBackoff,
        deadLetterBackoff: BackoffPolicy = SinkBatchSettings.defaultBackoff,
        unavailableReminderInterval: Duration = .seconds(60)
    ) {
        self.batchSize = max(1, batchSize)
        self.batchTimeout = max(.milliseconds(1), batchTimeout)
        self.unavailableBackoff = unavailableBackoff
        self.deadLetterBackoff = deadLetterBackoff
        self.unavailableReminderInterval = unavailableReminderInterval
    }

    /// 100 ms, doubling, at most 5 s, ±20 %: a restarted database is written to within seconds of coming
    /// back, and a store that stays down costs one attempt every ~5 s.
    public static let defaultBackoff = BackoffPolicy(
        maxAttempts: Int.max, baseDelay: .milliseconds(100), multiplier: 2, maximumDelay: .seconds(5), jitter: 0.2)
}
