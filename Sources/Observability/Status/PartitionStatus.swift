/// One assigned partition in a `ServiceStatus`.
///
/// Lag is `highWatermark − nextOffset`, never negative, and `nil` (absent, never -1) while either side is
/// unknown. The high watermark is queried from the brokers every few seconds, paused partitions included
/// (librdkafka's own figure freezes while a partition is paused).
public struct PartitionStatus: Sendable, Codable, Equatable {
    public var topic: String
    public var partition: Int32
    /// The group's committed offset (the next offset to read), when it has one.
    public var committedOffset: Int64?
    /// The next offset this member will process: right after the last finished event, or where the
    /// partition starts when nothing was finished yet.
    public var nextOffset: Int64?
    public var highWatermark: Int64?
    /// `highWatermark − nextOffset`: events in the log not yet processed.
    public var lag: Int64?
    /// `highWatermark − committedOffset`: events a restart would (re)process.
    public var committedLag: Int64?
    public var paused: Bool
    /// Why it is paused: `backpressure`, `retry_backoff`, `dead_letter_unavailable`, `halted`.
    public var pauseReasons: [String]
    /// Records consumed from this partition since the service started (earlier assignments included).
    public var consumed: Int

    public init(
        topic: String, partition: Int32, committedOffset: Int64? = nil, nextOffset: Int64? = nil,
        highWatermark: Int64? = nil, paused: Bool = false, pauseReasons: [String] = [], consumed: Int = 0
    ) {
        self.topic = topic
        self.partition = partition
        self.committedOffset = committedOffset
        self.nextOffset = nextOffset
        self.highWatermark = highWatermark
        self.lag = Self.lag(high: highWatermark, position: nextOffset)
        self.committedLag = Self.lag(high: highWatermark, position: committedOffset)
        self.paused = paused
        self.pauseReasons = pauseReasons
        self.consumed = consumed
    }

    /// `high − position`, at least 0 (the watermark is a few seconds old, the position live), or nil.
    static func lag(high: Int64?, position: Int64?) -> Int64? {
        guard let high, let position, high >= 0, position >= 0 else { return nil }
        return max(0, high - position)
    }
}
