/// One measured run of one consumer.
struct ConsumerResult: Codable, Sendable {
    var consumer: ConsumerKind
    var round: Int
    var group: String
    /// (committed at all − committed at first) / window length.
    var eventsPerSecond: Double
    var windowSeconds: Double
    var committedAtFirst: Int64
    var committedAtAll: Int64
    /// Process start to first committed offset (mostly the group join).
    var secondsToFirstCommit: Double
    /// CPU seconds the consumer used inside the window (/proc), `nil` where unavailable.
    var cpuSecondsInWindow: Double?
    /// CPU seconds mock-kafka used inside the window.
    var brokerCPUSecondsInWindow: Double?
    /// User + system CPU of the whole process life, from wait4.
    var cpuSeconds: Double
    var userCPUSeconds: Double
    var systemCPUSeconds: Double
    /// Peak resident set size (ru_maxrss), MiB.
    var peakRSSMiB: Double
    /// Context switches over the whole process life (wait4): voluntary (waits) and involuntary (preempted).
    var voluntaryContextSwitches: Int
    var involuntaryContextSwitches: Int
    /// How the process ended, e.g. `exit 0`.
    var exit: String
    /// Whether it ended on its own (raw) or within the grace period after SIGTERM (service).
    var stoppedCleanly: Bool
}

/// The median figures of one consumer over all rounds.
struct ConsumerSummary: Codable, Sendable {
    var runs: Int
    var eventsPerSecond: Double
    var cpuSeconds: Double
    var peakRSSMiB: Double

    init?(_ results: [ConsumerResult]) {
        guard !results.isEmpty else { return nil }
        runs = results.count
        eventsPerSecond = Self.median(results.map(\.eventsPerSecond))
        cpuSeconds = Self.median(results.map(\.cpuSeconds))
        peakRSSMiB = Self.median(results.map(\.peakRSSMiB))
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count.isMultiple(of: 2) ? (sorted[middle - 1] + sorted[middle]) / 2 : sorted[middle]
    }
}
