/// One assigned partition's progress as observers see it (`EventPipeline.partitionProgress()`).
public struct PartitionProgress: Sendable, Equatable {
    /// Records handed to the pipeline since the partition was assigned.
    public var consumed: Int
    /// The next offset to process: after the last finished record, or the first record received when
    /// nothing finished yet; nil before any record arrived.
    public var nextOffset: Int64?
    /// Why the pipeline holds the partition paused (`backpressure`, `retry_backoff`,
    /// `dead_letter_unavailable`, `halted`); empty while it flows.
    public var pauseReasons: [String]

    public init(consumed: Int, nextOffset: Int64?, pauseReasons: [String]) {
        self.consumed = consumed
        self.nextOffset = nextOffset
        self.pauseReasons = pauseReasons
    }
}

extension PauseReason {
    /// The reason's name on the status page and in `/status`.
    var name: String {
        switch self {
        case .backpressure: "backpressure"
        case .retryBackoff: "retry_backoff"
        case .deadLetterUnavailable: "dead_letter_unavailable"
        case .halted: "halted"
        }
    }
}
