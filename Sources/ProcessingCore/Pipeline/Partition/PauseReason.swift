/// Why a partition's fetching is paused. A partition is paused while at least one reason holds, and
/// resumed when the last one clears: reasons are tracked separately so that, e.g., a retry finishing
/// does not resume a partition that is still over its buffer limit.
enum PauseReason: Hashable, Sendable {
    /// More records are buffered for the partition than the pipeline wants to hold.
    case backpressure
    /// An event waits for its next processing attempt.
    case retryBackoff
    /// The dead-letter topic cannot be written; the event waits until it can.
    case deadLetterUnavailable
    /// A failure that cannot be retried, with dead-lettering disabled: the partition stops.
    case halted
}
