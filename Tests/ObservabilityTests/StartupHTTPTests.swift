import Foundation
import Observability
import Synchronization
import TestSupport
import Testing

/// The HTTP server as `ObservabilityCompanion.prepare()` starts it, before anything connects to Kafka:
/// alive and `starting`, not ready, `/metrics` rendering; `abandon()` (a start-up that ended early) stops it.
@Suite("HTTP server during the start-up")
struct StartupHTTPTests {
    @Test("after prepare(): /healthz 200, /readyz 503 not connected, /status starting, /metrics renders; abandon() stops the server")
    func answersBeforeKafkaThenStops() async throws {
        let port = Mutex<Int?>(nil)
        var configuration = ProcessingCoreConfiguration.defaults
        configuration.observability.httpHost = "127.0.0.1"
        configuration.observability.httpPort = 0
        let companion = ObservabilityCompanion(
            configuration: configuration, logger: .init(label: "test"), onListening: { _, bound in port.withLock { $0 = bound } })
        try await companion.prepare()
        let bound = try #require(port.withLock { $0 }, "prepare() returns once the server listens")
        let base = "http://127.0.0.1:\(bound)"

        #expect(try await HTTPGet.fetch("\(base)/healthz").status == 200)
        let ready = try await HTTPGet.fetch("\(base)/readyz")
        #expect(ready.status == 503)
        #expect(ready.text.contains("not connected to the cluster yet"), "\(ready.text)")
        let status = try JSONSerialization.jsonObject(with: try await HTTPGet.fetch("\(base)/status").body) as? [String: Any]
        #expect(status?["state"] as? String == "starting")
        let metrics = try await HTTPGet.fetch("\(base)/metrics").text
        #expect(metrics.contains("processing_service_ready 0"), "\(metrics)")
        #expect(metrics.contains("processing_service_live 1"), "\(metrics)")

        await companion.abandon()
        await #expect(throws: (any Error).self, "the server is gone") { try await HTTPGet.fetch("\(base)/healthz", timeout: 5) }
    }
}
