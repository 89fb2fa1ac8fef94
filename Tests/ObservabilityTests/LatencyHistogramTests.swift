import Foundation
@testable import Observability
import ProcessingCore
import Prometheus
import Synchronization
import Testing

@Suite("Batched latency histograms")
struct LatencyHistogramTests {
    static let bounds: [Duration] = [.microseconds(10), .microseconds(100), .milliseconds(1), .milliseconds(10), .seconds(1)]

    @Test("renders exactly what swift-prometheus renders for the same observations")
    func sameExpositionAsSwiftPrometheus() {
        let values: [Int64] = [1, 9_999, 10_000, 10_001, 99_000, 500_000, 1_000_000, 7_000_000, 900_000_000, 3_000_000_000]
        let registry = PrometheusCollectorRegistry()
        let reference = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(metricName: "processing_duration_seconds", unitName: "", helpText: "Duration of one processing attempt."),
            labels: [("topic", "events")], buckets: Self.bounds)
        let histogram = LatencyHistogram(upperBounds: Self.bounds)
        var tally = histogram.makeTally()
        for (index, value) in values.enumerated() {
            reference.record(.nanoseconds(value))
            tally.record(nanoseconds: value)
            if index == 4 { histogram.merge(&tally) }  // two merges, as two slices would
        }
        histogram.merge(&tally)
        #expect(tally.isEmpty)
        let ours = HistogramExposition.render(
            name: "processing_duration_seconds", help: "Duration of one processing attempt.", labels: [("topic", "events")], histogram: histogram)
        let theirs = registry.emitToString()
        // Same bucket lines and count; the sum in seconds (swift-prometheus prints Duration's 18 digits).
        let bucketLines = { (text: String) in text.split(separator: "\n").filter { $0.contains("_bucket") || $0.contains("_count") } }
        #expect(bucketLines(ours).map(Self.normalisingBound) == bucketLines(theirs).map(Self.normalisingBound), "ours:\n\(ours)\ntheirs:\n\(theirs)")
        #expect(ours.contains("processing_duration_seconds_sum{topic=\"events\"} 3.908629001\n"), "\(ours)")
    }

    /// `le="0.00001"` and swift-prometheus's `le="0.00001"`-with-trailing-digits compare equal.
    static func normalisingBound(_ line: Substring) -> String {
        guard let start = line.range(of: "le=\""), let end = line[start.upperBound...].firstIndex(of: "\"") else { return String(line) }
        let bound = line[start.upperBound..<end]
        let normal = Double(bound).map { "\($0)" } ?? String(bound)
        return line[..<start.upperBound] + normal + line[end...]
    }

    /// The measurement behind batching (`LatencyHistogram`'s doc comment): recording per event into one
    /// shared swift-prometheus histogram from two threads, against per-event tallies merged per slice of
    /// 1024. Prints both; asserts only that the counts are complete (timings vary with machine load).
    @Test("cost per observation: shared swift-prometheus histogram vs per-slice tallies (printed)")
    func costPerObservation() async {
        let perThread = 400_000
        let registry = PrometheusCollectorRegistry()
        let shared = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(metricName: "cost_seconds", unitName: "", helpText: "cost"), buckets: Self.bounds)
        let batched = LatencyHistogram(upperBounds: Self.bounds)
        let clock = ContinuousClock()

        let direct = await clock.measure {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<2 {
                    group.addTask {
                        for index in 0..<perThread { shared.record(.nanoseconds(Int64(index % 5000) * 100)) }
                    }
                }
            }
        }
        let tallied = await clock.measure {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<2 {
                    group.addTask {
                        var tally = batched.makeTally()
                        for index in 0..<perThread {
                            tally.record(nanoseconds: Int64(index % 5000) * 100)
                            if index % 1024 == 1023 { batched.merge(&tally) }
                        }
                        batched.merge(&tally)
                    }
                }
            }
        }
        let total = Double(2 * perThread)
        print("histogram cost per observation (2 threads): swift-prometheus record \(Self.nanoseconds(direct) / total) ns, tally + merge per 1024: \(Self.nanoseconds(tallied) / total) ns")
        #expect(batched.snapshot().count == 2 * perThread)
    }

    static func nanoseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1e9 + Double(duration.components.attoseconds) / 1e9
    }
}
