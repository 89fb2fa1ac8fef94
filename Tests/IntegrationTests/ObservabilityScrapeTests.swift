import Foundation
import TestSupport
import Testing

/// The running service seen by real tools: Debian's Prometheus scraping it (PromQL over the HTTP API
/// returns the lag), the metrics deploy/ names checked against a live scrape, and the status page rendered
/// by headless chromium.
@Suite("The running service seen by Prometheus and a browser")
struct ObservabilityScrapeTests {
    /// A service with four partitions of events, caught up, and one halted partition (lag 3) so the lag is not all zeros.
    static func runningService(_ label: String) async throws -> (MockBroker, ServiceProcess, ServiceEndpoints) {
        // Returned to the caller, which stops it (`defer { broker.requestStop() }`).
        let broker = try await MockBroker(topics: ["events": 4])
        let publisher = try RecordPublisher(bootstrapServers: broker.bootstrapServers)
        var records = ObservabilityLagTests.valid(2, partition: 0, seed: 1) + [ObservabilityLagTests.poison(partition: 0)]
            + ObservabilityLagTests.valid(2, partition: 0, seed: 2)
        for partition: Int32 in 1..<4 { records += ObservabilityLagTests.valid(5, partition: partition, seed: UInt64(partition) + 3) }
        _ = try await publisher.publish(records)
        await publisher.close()
        let service = try ServiceProcess(environment: ServiceProcess.environment(
            broker: broker, topic: "events", groupID: uniqueGroupID(label), ["DLQ_ENABLED": "false"]))
        let endpoints = try await ServiceEndpoints.of(service)
        try await service.waitForProcessed(upTo: [0: 2, 1: 5, 2: 5, 3: 5])
        try await eventuallyAsync("lag 3 on partition 0") {
            try await endpoints.metrics().value("kafka_consumer_lag", ["partition": "0"]) == 3
        }
        return (broker, service, endpoints)
    }

    @Test("a real Prometheus scrapes the service and a PromQL query returns each partition's lag",
          .enabled(if: PrometheusServer.isInstalled, "prometheus is not installed (scripts/install-deps.sh installs it)"))
    func prometheusQueriesTheLag() async throws {
        let (broker, service, endpoints) = try await Self.runningService("scrape-prometheus")
        defer { broker.requestStop() }
        try await PrometheusServer.with(targets: ["127.0.0.1:\(endpoints.port)"]) { prometheus in
            try await prometheus.waitUntilReady()
            var samples: [PrometheusServer.Sample] = []
            try await eventuallyAsync("Prometheus to have the lag of all four partitions", details: {
                let targets = (try? await HTTPGet.fetch("\(prometheus.baseURL)/api/v1/targets").text) ?? "?"
                return "\(samples); targets: \(targets)"
            }) {
                samples = try await prometheus.query(#"kafka_consumer_lag{topic="events"}"#)
                return samples.count == 4
            }
            let lag = Dictionary(uniqueKeysWithValues: samples.map { ($0.labels["partition"] ?? "?", $0.value) })
            #expect(lag == ["0": 3, "1": 0, "2": 0, "3": 0])
            // Eventually too: a scrape that misses its 1 s timeout on a loaded machine marks the series stale
            // until the next one succeeds, and an instant query in between finds nothing.
            var total: [PrometheusServer.Sample] = []
            try await eventuallyAsync("Prometheus to sum the lag", details: { "\(total)" }) {
                total = try await prometheus.query("sum(kafka_consumer_lag)")
                return !total.isEmpty
            }
            #expect(total.first?.value == 3)
            let up = try await prometheus.query(#"up{job="service"}"#)
            #expect(up.first?.value == 1)
        }
        #expect(try await service.shutDown() == .exited(0))
    }

    @Test("every metric the dashboard and the alert rules name is in a live scrape, and promtool accepts the scrape")
    func deployNamesExportedMetrics() async throws {
        let (broker, service, endpoints) = try await Self.runningService("scrape-names")
        defer { broker.requestStop() }
        var scrape = MetricsScrape("")
        // Committed offsets arrive with the first commit (every 200 ms here) and the next offsets query.
        try await eventuallyAsync("committed lag of every partition", details: { "\(scrape)" }) {
            scrape = try await endpoints.metrics()
            return scrape.samples("kafka_consumer_committed_lag").count == 4
        }
        let exported = Set(scrape.samples.map(\.name))
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dashboardData = try Data(contentsOf: root.appendingPathComponent("deploy/grafana/dashboards/processing-service.json"))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: dashboardData) as? [String: Any])
        let dashboardExpressions = (dashboard["panels"] as? [[String: Any]] ?? []).flatMap { panel in
            (panel["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String }
        }
        let rules = try String(contentsOf: root.appendingPathComponent("deploy/prometheus/alerts.yml"), encoding: .utf8)
        let ruleExpressions = PromQLMetricNames.ruleExpressions(in: rules)
        #expect(dashboardExpressions.count >= 10 && ruleExpressions.count >= 5)
        // `up` is Prometheus's own series about the scrape, not something the service exports.
        let named = (dashboardExpressions + ruleExpressions).reduce(into: Set<String>()) { $0.formUnion(PromQLMetricNames.names(in: $1)) }
            .subtracting(["up"])
        #expect(named.count >= 12, "names found: \(named.sorted())")
        let missing = named.filter { !exported.contains($0) }
        #expect(missing.isEmpty, "named in deploy/ but not in a live scrape: \(missing.sorted())\nscrape:\n\(scrape)")

        if Promtool.isInstalled {
            let (status, report) = try Promtool.checkMetrics(scrape.text)
            #expect(status == 0, "promtool check metrics: \(report)")
        }
        #expect(try await service.shutDown() == .exited(0))
    }

    @Test("the status page, rendered by headless chromium, lists every assigned partition with its lag",
          .enabled(if: HeadlessBrowser.isInstalled, "chromium is not installed (scripts/install-deps.sh installs it)"))
    func statusPageInABrowser() async throws {
        let (broker, service, endpoints) = try await Self.runningService("scrape-page")
        defer { broker.requestStop() }
        let dom = try await HeadlessBrowser.dumpDOM(of: "\(endpoints.base)/")
        for (partition, lag) in [(0, 3), (1, 0), (2, 0), (3, 0)] {
            guard let start = dom.range(of: "data-partition=\"events[\(partition)]\"") else {
                Issue.record("no row for events[\(partition)] in:\n\(dom)")
                continue
            }
            let row = dom[start.lowerBound...].prefix { $0 != "\n" }.split(separator: "</tr>").first.map(String.init) ?? ""
            #expect(row.contains("data-lag=\"\(lag)\""), "row: \(row)")
        }
        #expect(dom.contains("class=\"paused partition\""), "the halted partition is shown paused")
        #expect(try await service.shutDown() == .exited(0))
    }
}
