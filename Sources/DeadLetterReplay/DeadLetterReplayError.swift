/// Why a dead-letter replay stopped early, with what it had done by then.
public enum DeadLetterReplayError: Error, CustomStringConvertible {
    /// Kafka could not be reached, or the dead-letter topic does not exist; nothing was replayed.
    case kafkaUnavailable(String)
    /// A letter could not be published (or its target topic does not exist). Letters confirmed before it
    /// are committed in the replay group; a new run continues with the failed one.
    case replayFailed(String, summary: DeadLetterReplaySummary)
    /// The replay consumer stopped on its own (fatal librdkafka error, subscribe failure).
    case consumerFailed(String, summary: DeadLetterReplaySummary)

    /// sysexits(3): `EX_UNAVAILABLE` (69) when Kafka or a topic is not there, `EX_SOFTWARE` (70) otherwise.
    public var exitCode: Int32 {
        switch self {
        case .kafkaUnavailable, .replayFailed: 69
        case .consumerFailed: 70
        }
    }

    /// What was done before the failure, when anything was.
    public var summary: DeadLetterReplaySummary? {
        switch self {
        case .kafkaUnavailable: nil
        case .replayFailed(_, let summary), .consumerFailed(_, let summary): summary
        }
    }

    public var description: String {
        switch self {
        case .kafkaUnavailable(let reason): "Kafka unavailable: \(reason)"
        case .replayFailed(let reason, _): "replay stopped: \(reason)"
        case .consumerFailed(let reason, _): "the dead-letter consumer failed: \(reason)"
        }
    }
}
