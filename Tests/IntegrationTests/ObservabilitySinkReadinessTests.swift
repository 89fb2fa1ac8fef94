import Foundation
import Testing
import TestSupport

/// `/readyz` of the real executable with a store (`SINK=postgres`, a PostgreSQL server of the test's own):
/// its `sink_reachable` check follows the store through an outage, while `/healthz` stays 200 (the service
/// waits and retries; restarting it would not help), and no commit passes an event that is not stored.
@Suite("Readiness while PostgreSQL goes away and comes back", .timeLimit(.minutes(5)))
struct ObservabilitySinkReadinessTests {
    @Test("PostgreSQL stopped: /readyz 503 (sink_reachable false), /healthz 200, commits stay behind the store; back: /readyz 200, every event stored once and committed")
    func postgresOutage() async throws {
        try await SinkScenario.run(.postgres, label: "readyz") { scenario in
            let count = 8_000
            // Paced, so events are still arriving while the store is away (~8 s of them).
            let producing = try EventPublisher.start(to: scenario.broker, topic: SinkScenario.topic, count: count, seed: 61, rate: 1_000)
            let service = try ServiceProcess(name: "sink-readyz", environment: scenario.environment())
            let endpoints = try await ServiceEndpoints.of(service)
            try await scenario.waitUntilCommitted(atLeast: 500, service)
            try await eventuallyAsync("/readyz 200 with the store reachable", details: { service.tail() }) {
                let readiness = try await endpoints.readiness()
                return readiness.status == 200 && readiness.checks["sink_reachable"] == true
            }

            try await scenario.store.makeUnavailable()
            try await eventuallyAsync("/readyz 503 with sink_reachable false", details: { service.tail() }) {
                let readiness = try await endpoints.readiness()
                return readiness.status == 503 && readiness.checks["sink_reachable"] == false
            }
            let down = try await endpoints.readiness()
            #expect(down.checks["kafka_connected"] == true && down.checks["group_member"] == true, "only the store is missing: \(down.checks)")
            #expect(try await endpoints.get("/healthz").status == 200, "a store outage is not a reason to restart the service")
            // Let the service try the store a few more times (backing off from 100 ms: ~3 s), with events waiting
            // and commits due every 200 ms: what a service that skipped the store would commit by then.
            let failuresWhenDown = try await Self.failedWrites(endpoints)
            try await eventuallyAsync("4 more failed writes while the store is away", details: { service.tail() }) {
                try await Self.failedWrites(endpoints) >= failuresWhenDown + 4
            }
            #expect(try await endpoints.readiness().status == 503, "still not ready: the store is still away")
            let committedDuringOutage = try await scenario.committed
            let restartedAt = Date()

            try await scenario.store.makeAvailable()
            try await eventuallyAsync("/readyz 200 again", details: { service.tail() }) {
                let readiness = try await endpoints.readiness()
                return readiness.status == 200 && readiness.checks["sink_reachable"] == true
            }
            // Every position committed while the store was away belongs to an event stored before it went.
            let storedBefore = Set(try await Self.eventIDs(storedBefore: restartedAt, scenario))
            let published = try await scenario.publishedEventIDs()
            var checked = 0
            for (position, id) in published where position.offset < committedDuringOutage[position.topicPartition.partition, default: 0] {
                #expect(storedBefore.contains(id), "offset \(position) was committed while the store was away, but its event was not stored")
                checked += 1
            }
            #expect(checked >= 500, "committed while away: \(committedDuringOutage)")

            try await producing.finish()
            try await scenario.waitUntilAllCommitted(service)
            #expect(try await endpoints.readiness().status == 200)
            #expect(try await service.shutDown() == .exited(0))
            let stored = try await scenario.store.storedEventIDs()
            #expect(stored.count == count, "one row per event")
            #expect(Set(stored) == Set(SinkScenario.eventIDs(count: count, seed: 61)), "none missing")
            #expect(service.logLines.contains { $0.message == "Event store reachable again" })
        }
    }

    /// Writes the store did not take because it was unavailable, from `/metrics`.
    static func failedWrites(_ endpoints: ServiceEndpoints) async throws -> Double {
        try await endpoints.metrics().value("sink_write_failures_total", ["reason": "unavailable"]) ?? 0
    }

    /// The ids of the events PostgreSQL stored before `instant` (its `stored_at` column, set by the server's clock).
    static func eventIDs(storedBefore instant: Date, _ scenario: SinkScenario) async throws -> [String] {
        let seconds = String(format: "%.6f", instant.timeIntervalSince1970)
        let output = try await scenario.store.query("SELECT event_id FROM events WHERE stored_at < to_timestamp(\(seconds))")
        return output.isEmpty ? [] : output.split(separator: "\n").map(String.init)
    }
}
