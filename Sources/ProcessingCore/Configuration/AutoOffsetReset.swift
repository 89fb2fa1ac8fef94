/// Where a partition without a committed offset (or with one out of range) starts (`AUTO_OFFSET_RESET`),
/// librdkafka's `auto.offset.reset`.
///
/// librdkafka 2.0.2 accepts `smallest, earliest, beginning, largest, latest, end, error`; the aliases
/// are folded onto the three behaviours here so the logged configuration shows one canonical name.
public enum AutoOffsetReset: String, Sendable, Equatable, CaseIterable {
    /// Start at the oldest retained message (aliases: `smallest`, `beginning`).
    case earliest
    /// Start after the newest message (aliases: `largest`, `end`).
    case latest
    /// Fail the consumer with `RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET` instead of guessing.
    case error

    /// Parses any spelling librdkafka accepts, case-insensitively.
    public init?(librdkafkaName: String) {
        switch librdkafkaName.lowercased() {
        case "earliest", "smallest", "beginning": self = .earliest
        case "latest", "largest", "end": self = .latest
        case "error": self = .error
        default: return nil
        }
    }

    /// The accepted spellings, for error messages.
    static let acceptedNames = "earliest, latest, error (or the librdkafka aliases smallest, beginning, largest, end)"
}
