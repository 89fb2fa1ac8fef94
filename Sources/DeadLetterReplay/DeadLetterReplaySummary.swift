/// What a replay did: letters replayed (or, in a dry run, that would be) and skipped, per error class.
public struct DeadLetterReplaySummary: Sendable, Equatable {
    /// Counts for one `dlq.error.class`.
    public struct ClassCounts: Sendable, Equatable {
        public var replayed = 0
        public var skippedByFilter = 0

        public init(replayed: Int = 0, skippedByFilter: Int = 0) {
            self.replayed = replayed
            self.skippedByFilter = skippedByFilter
        }
    }

    public var deadLetterTopic: String
    public var replayGroup: String
    public var dryRun: Bool
    public var replayed = 0
    public var skippedByFilter = 0
    public var perClass: [String: ClassCounts] = [:]
    /// Letters replayed per target topic.
    public var perTargetTopic: [String: Int] = [:]
    /// Whether `--limit` ended the replay before the watermarks seen at its start.
    public var stoppedAtLimit = false

    public init(deadLetterTopic: String, replayGroup: String, dryRun: Bool) {
        self.deadLetterTopic = deadLetterTopic
        self.replayGroup = replayGroup
        self.dryRun = dryRun
    }

    mutating func countReplayed(errorClass: String, topic: String) {
        replayed += 1
        perClass[errorClass, default: ClassCounts()].replayed += 1
        perTargetTopic[topic, default: 0] += 1
    }

    mutating func countSkipped(errorClass: String) {
        skippedByFilter += 1
        perClass[errorClass, default: ClassCounts()].skippedByFilter += 1
    }

    /// The report printed at the end of `dlq replay`, e.g.
    /// ```
    /// Replayed 3 dead letters from events.dlq (group g.dlq-replay); skipped by filter: 2
    ///   to events: 3
    ///   invalid_json: replayed 3, skipped 0
    ///   processing_failed: replayed 0, skipped 2
    /// ```
    public var report: String {
        let verb = dryRun ? "Dry run: would replay" : "Replayed"
        var lines = [
            "\(verb) \(replayed) dead letter\(replayed == 1 ? "" : "s") from \(deadLetterTopic) (group \(replayGroup)); skipped by filter: \(skippedByFilter)"
                + (stoppedAtLimit ? "; stopped at --limit" : "")
        ]
        for (topic, count) in perTargetTopic.sorted(by: { $0.key < $1.key }) {
            lines.append("  to \(topic): \(count)")
        }
        for (errorClass, counts) in perClass.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(errorClass): replayed \(counts.replayed), skipped \(counts.skippedByFilter)")
        }
        return lines.joined(separator: "\n")
    }
}
