import Foundation
import Kafka
import Logging
@testable import Observability
import Testing
import TestSupport

/// `/healthz` over a consumer that hit a real fatal error (not a recorded fake): a static member fenced
/// by the mock cluster (FENCED_INSTANCE_ID on Heartbeat), served by the real HTTP server. The executable
/// exits right after such an error (`FatalKafkaErrorTests`), too soon to probe it from outside; this is
/// what a probe in that window gets.
@Suite("Liveness after a fatal Kafka error", .timeLimit(.minutes(2)))
struct FatalErrorLivenessTests {
    @Test("a fenced static member: the consumer stops with a fatal error and /healthz answers 503 naming it")
    func fencedConsumerIsNotAlive() async throws {
        let group = "fatal-liveness-\(UUID().uuidString.prefix(8))"
        let broker = try await MockBroker(topics: ["events": 2])
        defer { broker.requestStop() }
        let consumer = try KafkaConsumer(
            configuration: KafkaConfiguration([
                "bootstrap.servers": broker.bootstrapServers, "group.id": group,
                "group.instance.id": "instance-0", "session.timeout.ms": "6000", "heartbeat.interval.ms": "200",
            ]),
            options: .init(topics: ["events"]), delegate: LivenessTests.NoDelegate(), logger: Logger(label: "fatal-test"))
        let running = Task { () -> KafkaError? in
            do throws(KafkaError) {
                try await consumer.run()
                return nil
            } catch {
                return error
            }
        }
        let source = try Self.source(over: consumer)
        // A hang bound on the group join (the mock cluster delays a new group's first join by 3 s).
        let joinDeadline = ContinuousClock.now + .seconds(60)
        while consumer.assignment.isEmpty {
            try #require(ContinuousClock.now < joinDeadline, "no assignment within 60 s")
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(source.liveness().isOK, "alive while it polls")

        try await broker.pushRequestErrors(apiKey: 12, errorCodes: [82, 82, 82])
        let ended = await value(within: .seconds(60)) { await running.value }
        let error = try #require(ended, "the consumer did not stop within 60 s of being fenced")
        #expect(error?.kind == .fatal, "\(String(describing: error))")
        try await withHTTPServer(source: source) { port in
            let response = try await HTTPGet.fetch("http://127.0.0.1:\(port)/healthz")
            #expect(response.status == 503)
            let body = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
            let checks = body?["checks"] as? [[String: Any]] ?? []
            let client = checks.first { $0["name"] as? String == "kafka_client" }
            #expect(client?["ok"] as? Bool == false, "\(response.text)")
            let detail = client?["detail"] as? String ?? ""
            #expect(detail.hasPrefix("fatal Kafka error") && detail.lowercased().contains("fenced"), "\(detail)")
        }
    }

    /// The status source the service builds, over `consumer` (no pipeline: nothing is processed here).
    static func source(over consumer: KafkaConsumer) throws -> LiveStatusSource {
        let lifecycle = ServiceLifecycleState()
        let monitor = ConsumerMonitor(
            consumer: consumer, pipeline: LivenessTests.NoPipeline(), lifecycle: lifecycle, startsAtEarliest: true,
            logger: Logger(label: "fatal-test"))
        return LiveStatusSource(
            consumer: consumer, pipeline: LivenessTests.NoPipeline(), monitor: monitor, lifecycle: lifecycle,
            topic: "events", group: "g", version: "1")
    }
}
