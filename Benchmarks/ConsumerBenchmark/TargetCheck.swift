/// One of issue 4's targets, service relative to raw, evaluated on the medians.
struct TargetCheck: Codable, Sendable {
    var name: String
    /// service / raw.
    var ratio: Double
    var limit: Double
    /// `true`: the ratio must be at least `limit`; `false`: at most.
    var atLeast: Bool
    /// Stored rather than computed so that the JSON report carries the verdict too.
    var passed: Bool

    init(name: String, ratio: Double, limit: Double, atLeast: Bool) {
        self.name = name
        self.ratio = ratio
        self.limit = limit
        self.atLeast = atLeast
        passed = atLeast ? ratio >= limit : ratio <= limit
    }

    /// Throughput ≥ 0.75 of raw, CPU seconds ≤ 2×, peak RSS ≤ 1.5×.
    static func issueTargets(service: ConsumerSummary, raw: ConsumerSummary) -> [TargetCheck] {
        [
            TargetCheck(name: "throughput", ratio: service.eventsPerSecond / raw.eventsPerSecond, limit: 0.75, atLeast: true),
            TargetCheck(name: "CPU seconds", ratio: service.cpuSeconds / raw.cpuSeconds, limit: 2.0, atLeast: false),
            TargetCheck(name: "peak RSS", ratio: service.peakRSSMiB / raw.peakRSSMiB, limit: 1.5, atLeast: false),
        ]
    }
}
