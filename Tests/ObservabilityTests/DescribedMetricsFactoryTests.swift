import CoreMetrics
import Foundation
import Kafka
import Observability
import Testing
import TestSupport

/// Metrics recorded through the swift-metrics API land in the service's exposition with HELP text.
@Suite("swift-metrics into /metrics")
struct DescribedMetricsFactoryTests {
    @Test("counters, timers and gauges made through swift-metrics are rendered with HELP and pass promtool",
          .enabled(if: Promtool.isInstalled, "promtool is not installed"))
    func swiftMetricsReachTheExposition() throws {
        let metrics = ServiceMetrics(version: "1", group: "g", topic: "events")
        let factory = DescribedMetricsFactory(registry: metrics.registry, help: ["sink_batches_total": "Batches written to the sink."])
        Counter(label: "sink_batches_total", dimensions: [("sink", "postgres")], factory: factory).increment(by: 3)
        Timer(label: "sink_write_duration_seconds", dimensions: [("sink", "postgres")], factory: factory).recordMilliseconds(7)
        Gauge(label: "sink_queue_depth", factory: factory).record(4)
        let text = metrics.exposition(
            status: ServiceStatus(state: .running, version: "1", topic: "events", group: "g"),
            pipeline: PipelineSnapshot(totals: .init()), observations: ConsumerObservationsFixture.make())
        #expect(text.contains("# HELP sink_batches_total Batches written to the sink."))
        #expect(text.contains(#"sink_batches_total{sink="postgres"} 3"#))
        #expect(text.contains("# HELP sink_write_duration_seconds sink write duration seconds (swift-metrics)."))
        #expect(text.contains(#"sink_write_duration_seconds_bucket{sink="postgres",le="0.01"} 1"#), "\(text)")
        #expect(text.contains("sink_queue_depth 4"))

        let (status, report) = try Promtool.checkMetrics(text)
        #expect(status == 0, "promtool: \(report)")
    }
}
