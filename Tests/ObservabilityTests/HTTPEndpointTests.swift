import Foundation
import NIOCore
import NIOPosix
import Observability
import TestSupport
import Testing

@Suite("HTTP endpoints")
struct HTTPEndpointTests {
    @Test("/healthz and /readyz answer 200 when every check passes, 503 otherwise, with a JSON body naming the checks")
    func probesFollowTheirChecks() async throws {
        let source = FakeStatusSource(partitions: [])
        source.ready = ProbeReport(checks: [
            .init(name: "kafka_connected", ok: true, detail: "1 of 1 brokers connected"),
            .init(name: "group_member", ok: false, detail: "join state wait-sync"),
        ])
        try await withHTTPServer(source: source) { port in
            let ready = try await HTTPGet.fetch("http://127.0.0.1:\(port)/readyz")
            #expect(ready.status == 503)
            let body = try JSONSerialization.jsonObject(with: ready.body) as? [String: Any]
            #expect(body?["status"] as? String == "failing")
            let checks = body?["checks"] as? [[String: Any]] ?? []
            #expect(checks.map { $0["name"] as? String } == ["kafka_connected", "group_member"])
            #expect(checks.last?["detail"] as? String == "join state wait-sync")
            let live = try await HTTPGet.fetch("http://127.0.0.1:\(port)/healthz")
            #expect(live.status == 200)
            #expect(live.text.contains(#""status":"ok""#))
        }
    }

    @Test("/status is the snapshot in snake_case JSON; /metrics is Prometheus text 0.0.4; / is self-contained HTML")
    func statusMetricsAndPage() async throws {
        let source = FakeStatusSource(partitions: [
            PartitionStatus(topic: "events", partition: 3, committedOffset: 5, nextOffset: 6, highWatermark: 9)
        ])
        try await withHTTPServer(source: source, metrics: { "# HELP x X.\n# TYPE x gauge\nx 1\n" }) { port in
            let status = try await HTTPGet.fetch("http://127.0.0.1:\(port)/status")
            #expect(status.status == 200)
            let json = try #require(try JSONSerialization.jsonObject(with: status.body) as? [String: Any])
            #expect(json["member_id"] as? String == "member-1")
            let partition = try #require((json["partitions"] as? [[String: Any]])?.first)
            #expect(partition["lag"] as? Int == 3)
            #expect(partition["committed_lag"] as? Int == 4)
            #expect(partition["next_offset"] as? Int == 6)
            let metrics = try await HTTPGet.fetch("http://127.0.0.1:\(port)/metrics")
            #expect(metrics.text == "# HELP x X.\n# TYPE x gauge\nx 1\n")
            let page = try await HTTPGet.fetch("http://127.0.0.1:\(port)/")
            #expect(page.status == 200)
            #expect(page.text.contains("<table id=\"partitions\">"))
            // Self-contained: nothing loaded from elsewhere.
            for external in ["src=\"http", "href=\"http", "<link ", "src=\"//", "@import"] {
                #expect(!page.text.contains(external), "the page references an external asset: \(external)")
            }
        }
    }

    @Test("a taken HTTP_PORT is a start-up error naming HTTP_PORT, before and at bind time")
    func takenPortIsAClearError() async throws {
        let occupier = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        defer { occupier.close(promise: nil) }
        let port = try #require(occupier.localAddress?.port)
        let companion = ObservabilityCompanion(
            configuration: {
                var configuration = ProcessingCoreConfiguration.defaults
                configuration.observability.httpHost = "127.0.0.1"
                configuration.observability.httpPort = port
                return configuration
            }(), logger: .init(label: "test"))
        await #expect(throws: HTTPServerStartupError.self) { try await companion.prepare() }
        do {
            try await companion.prepare()
        } catch let error as HTTPServerStartupError {
            #expect(error.description.hasPrefix("HTTP_PORT=\(port) "), "\(error)")
            #expect(error.description.contains("already in use"), "\(error)")
            #expect(error.exitCode == 64)
        }
        // The server itself, should the port be taken after the check.
        let server = ObservabilityHTTPServer(
            host: "127.0.0.1", port: port, source: FakeStatusSource(partitions: []), metrics: { "" }, logger: .init(label: "test"))
        await #expect(throws: HTTPServerStartupError.self) { try await server.run() }
    }
}
