/// What `processing-service dlq replay` replays, where to, and from which position.
public struct DeadLetterReplayOptions: Sendable, Equatable {
    /// Replay only letters whose `dlq.error.class` is one of these; empty replays every class.
    public var errorClasses: Set<String>
    /// Print what would be replayed; publish nothing and commit nothing.
    public var dryRun: Bool
    /// Replay at most this many letters (letters skipped by the filter do not count); nil: no limit.
    public var limit: Int?
    /// Publish every letter to this topic instead of its `dlq.original.topic`.
    public var targetTopic: String?
    /// The consumer group whose committed offsets are the replay's position in the dead-letter topic;
    /// nil: `defaultReplayGroup(serviceGroup:errorClasses:)`.
    public var replayGroup: String?
    /// Read every dead-letter partition from its start, ignoring the replay group's committed position.
    public var fromBeginning: Bool

    public init(
        errorClasses: Set<String> = [],
        dryRun: Bool = false,
        limit: Int? = nil,
        targetTopic: String? = nil,
        replayGroup: String? = nil,
        fromBeginning: Bool = false
    ) {
        self.errorClasses = errorClasses
        self.dryRun = dryRun
        self.limit = limit
        self.targetTopic = targetTopic
        self.replayGroup = replayGroup
        self.fromBeginning = fromBeginning
    }

    /// The replay group: `<group>.dlq-replay`, and for a filtered replay
    /// `<group>.dlq-replay.<class>+<class>...` (classes sorted).
    ///
    /// A replay commits its position past every letter it read, including letters the filter skipped;
    /// giving each filter its own group means that replaying `processing_failed` today does not hide the
    /// `invalid_json` letters from tomorrow's `--error-class invalid_json` replay.
    public static func defaultReplayGroup(serviceGroup: String, errorClasses: Set<String>) -> String {
        let base = serviceGroup + ".dlq-replay"
        guard !errorClasses.isEmpty else { return base }
        return base + "." + errorClasses.sorted().joined(separator: "+")
    }

    /// The replay group these options use for the service group `serviceGroup`.
    public func replayGroup(serviceGroup: String) -> String {
        replayGroup ?? Self.defaultReplayGroup(serviceGroup: serviceGroup, errorClasses: errorClasses)
    }
}
