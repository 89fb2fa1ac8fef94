import Foundation
import TestSupport
import Testing

/// `/readyz` and `/healthz` of the real executable against `mock-kafka` (HTTP_PORT=0): not ready before the
/// group is joined, ready after (also with zero partitions), not ready while the broker is down and ready
/// again when it is back, not ready from the first moment of a SIGTERM drain, which still exits 0.
@Suite("Readiness and liveness of the running service")
struct ObservabilityReadinessTests {
    static func start(_ broker: MockBroker, group: String, topic: String = "events", _ extra: [String: String] = [:]) throws -> ServiceProcess {
        try ServiceProcess(environment: ServiceProcess.environment(broker: broker, topic: topic, groupID: group, extra))
    }

    @Test("/readyz is 503 before the group is joined and 200 after; /healthz is 200 throughout")
    func readyOnceJoined() async throws {
        let broker = try await MockBroker(topics: ["events": 3])
        defer { broker.requestStop() }
        let service = try Self.start(broker, group: uniqueGroupID("ready"))
        let endpoints = try await ServiceEndpoints.of(service)
        let early = try await endpoints.readiness()
        // The mock cluster delays a new group's first join by 3 s, so the member is not in the group yet.
        let joinedAlready = service.logLines.contains { $0.message == "Partitions assigned" }
        try #require(!joinedAlready, "the group was joined before the first /readyz answer; cannot test 'before'")
        #expect(early.status == 503)
        #expect(early.checks["group_member"] == false)
        #expect(try await endpoints.get("/healthz").status == 200)

        try await eventuallyAsync("/readyz 200") { try await endpoints.readiness().status == 200 }
        let ready = try await endpoints.readiness()
        #expect(ready.checks == ["not_shutting_down": true, "kafka_connected": true, "group_member": true])
        #expect(try await endpoints.get("/healthz").status == 200)
        #expect(try await service.shutDown() == .exited(0))
    }

    @Test("a member with zero partitions (more members than partitions) is ready")
    func memberWithoutPartitionsIsReady() async throws {
        let broker = try await MockBroker(topics: ["events": 1])
        defer { broker.requestStop() }
        let group = uniqueGroupID("ready-idle")
        let first = try Self.start(broker, group: group)
        try await first.waitForAssignment()
        let second = try Self.start(broker, group: group)
        let endpoints = (try await ServiceEndpoints.of(first), try await ServiceEndpoints.of(second))
        try await eventuallyAsync("both members ready, one of them with no partition") {
            let status = (try await endpoints.0.status(), try await endpoints.1.status())
            let counts = [status.0, status.1].map { ($0["partitions"] as? [Any])?.count ?? -1 }.sorted()
            let ready = (try await endpoints.0.readiness().status, try await endpoints.1.readiness().status)
            return counts == [0, 1] && ready == (200, 200)
        }
        #expect(try await second.shutDown() == .exited(0))
        #expect(try await first.shutDown() == .exited(0))
    }

    @Test("with the broker down /readyz turns 503 (kafka_connected) and back to 200 when it returns")
    func brokerOutage() async throws {
        let broker = try await MockBroker(topics: ["events": 2])
        defer { broker.requestStop() }
        let service = try Self.start(broker, group: uniqueGroupID("ready-outage"))
        let endpoints = try await ServiceEndpoints.of(service)
        try await eventuallyAsync("/readyz 200") { try await endpoints.readiness().status == 200 }
        try await broker.setBrokerDown(1)
        try await eventuallyAsync("/readyz 503 with kafka_connected failing") {
            let readiness = try await endpoints.readiness()
            return readiness.status == 503 && readiness.checks["kafka_connected"] == false
        }
        #expect(try await endpoints.get("/healthz").status == 200, "an outage is not a reason to restart the service")
        try await broker.setBrokerUp(1)
        try await eventuallyAsync("/readyz 200 again") { try await endpoints.readiness().status == 200 }
        #expect(try await service.shutDown() == .exited(0))
    }

    @Test("during the start-up's connection retries the HTTP server answers: /healthz 200 starting, /readyz 503 not connected; the broker back → /readyz 200")
    func answersDuringStartupRetries() async throws {
        let broker = try await MockBroker(topics: ["events": 2])
        defer { broker.requestStop() }
        try await broker.setBrokerDown(1)
        let service = try Self.start(broker, group: uniqueGroupID("ready-startup"), ["MAX_RETRIES": "60", "CONNECT_TIMEOUT": "2"])
        let endpoints = try await ServiceEndpoints.of(service)
        try await service.waitForLine("a start-up retry") { $0.message == "Kafka not ready, retrying" }
        let health = try await endpoints.get("/healthz")
        #expect(health.status == 200, "\(health.text)")
        let readiness = try await endpoints.readiness()
        #expect(readiness.status == 503)
        #expect(readiness.checks["kafka_connected"] == false && readiness.checks["group_member"] == false, "\(readiness.checks)")
        #expect(try await endpoints.status()["state"] as? String == "starting")
        #expect(try await endpoints.metrics().value("processing_service_ready") == 0)
        #expect(!service.logLines.contains { $0.message == "Connected to Kafka" }, "still in the start-up: \(service.tail())")

        try await broker.setBrokerUp(1)
        try await eventuallyAsync("/readyz 200 once connected and joined", details: { service.tail() }) {
            try await endpoints.readiness().status == 200
        }
        #expect(try await endpoints.get("/healthz").status == 200)
        #expect(try await service.shutDown() == .exited(0))
    }

    @Test("during the SIGTERM drain /readyz is 503 while the HTTP server still answers, and the process exits 0")
    func drainIsNotReady() async throws {
        let broker = try await MockBroker(topics: ["events": 2])
        defer { broker.requestStop() }
        let service = try Self.start(broker, group: uniqueGroupID("ready-drain"))
        let endpoints = try await ServiceEndpoints.of(service)
        try await eventuallyAsync("/readyz 200") { try await endpoints.readiness().status == 200 }
        // Slow every broker answer, so the drain (final commit, LeaveGroup) lasts seconds and can be watched.
        try await broker.send(command: "rtt 1 1500")
        service.terminate()
        var drainAnswers: [Int] = []
        try await eventuallyAsync("a 503 from /readyz saying it shuts down", timeout: .seconds(60)) {
            let readiness = try await endpoints.readiness()
            drainAnswers.append(readiness.status)
            return readiness.status == 503 && readiness.checks["not_shutting_down"] == false
        }
        // Once shutting down, never ready again (until the server stops answering).
        for _ in 0..<5 {
            guard let readiness = try? await endpoints.readiness() else { break }
            #expect(readiness.status == 503)
        }
        #expect(try await service.waitForExit(timeout: .seconds(90)) == .exited(0), "\(service.tail())")
        #expect(service.logLines.contains { $0.message == "Processing service stopped" })
    }

    @Test("HTTP_ENABLED=false: no HTTP server, the service still consumes and logs its progress")
    func httpDisabled() async throws {
        let broker = try await MockBroker(topics: ["events": 2])
        defer { broker.requestStop() }
        let publisher = try RecordPublisher(bootstrapServers: broker.bootstrapServers)
        _ = try await publisher.publish(RecordPublisher.validEvents(topic: "events", count: 20, partitions: 2))
        await publisher.close()
        let service = try Self.start(broker, group: uniqueGroupID("http-off"), ["HTTP_ENABLED": "false", "PROGRESS_LOG_INTERVAL": "1s"])
        try await service.waitForProcessed(count: 20)
        try await service.waitForLine("a Progress line") { $0.message == "Progress" && $0.metadata["processed"] != nil }
        #expect(!service.logLines.contains { $0.message == "HTTP server listening" })
        #expect(try await service.shutDown() == .exited(0))
    }
}
