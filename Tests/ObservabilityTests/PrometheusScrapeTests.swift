import Foundation
import Kafka
@testable import Observability
import TestSupport
import Testing

/// A real Prometheus (Debian's package) scrapes the HTTP server; PromQL over its HTTP API returns the lag.
@Suite("Real Prometheus scrape")
struct PrometheusScrapeTests {
    @Test("Prometheus scrapes /metrics and a PromQL query returns each partition's lag",
          .enabled(if: PrometheusServer.isInstalled, "prometheus is not installed (scripts/install-deps.sh installs it)"))
    func promQLReturnsTheLag() async throws {
        let partitions = [
            PartitionStatus(topic: "events", partition: 0, committedOffset: 0, nextOffset: 10, highWatermark: 25),
            PartitionStatus(topic: "events", partition: 1, committedOffset: 0, nextOffset: 40, highWatermark: 40),
        ]
        let source = FakeStatusSource(partitions: partitions)
        let metrics = ServiceMetrics(version: "1", group: "g", topic: "events")
        let observations = ConsumerObservationsFixture.make()
        try await withHTTPServer(source: source, metrics: {
            metrics.exposition(status: source.status(), pipeline: PipelineSnapshot(totals: .init()), observations: observations)
        }) { port in
            try await PrometheusServer.with(targets: ["127.0.0.1:\(port)"]) { prometheus in
                try await prometheus.waitUntilReady()
                let samples = try await Self.eventually { () -> [PrometheusServer.Sample]? in
                    let samples = try await prometheus.query("kafka_consumer_lag")
                    return samples.count == 2 ? samples : nil
                }
                let lag = Dictionary(uniqueKeysWithValues: samples.map { ($0.labels["partition"] ?? "?", $0.value) })
                #expect(lag == ["0": 15, "1": 0])
                #expect(samples.allSatisfy { $0.labels["topic"] == "events" && $0.labels["job"] == "service" })
                // Eventually too: a scrape that misses its 1 s timeout on a loaded machine marks the series stale
                // until the next one succeeds, and an instant query in between finds nothing.
                let total = try await Self.eventually { () -> Double? in
                    try await prometheus.query("sum(kafka_consumer_lag)").first?.value
                }
                #expect(total == 15)
            }
        }
    }

    /// Retries `attempt` until it returns a value (a scrape happens every second). - Parameter timeout: a hang bound.
    static func eventually<T>(timeout: Duration = .seconds(60), _ attempt: () async throws -> T?) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let value = try await attempt() { return value }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw PrometheusServerError.timedOut("the first scrape")
    }
}
