import Foundation
import Testing
import TestSupport

/// The service storing into each durable store (PostgreSQL, SQLite, files): every event exactly once, also
/// across a crash, and repeated event ids stored once and counted.
// Serialized: each case runs a broker, the service and a store; nine at once on 2 cores starve the other suites.
@Suite("Sinks end to end: stored once", .serialized, .timeLimit(.minutes(5)))
struct SinkDeliveryTests {
    @Test("20k events on 6 partitions are all stored, once each, and every offset committed", arguments: SinkKind.allCases)
    func storesEveryEventOnce(_ kind: SinkKind) async throws {
        try await SinkScenario.run(kind, label: "once") { scenario in
            try await EventPublisher.publish(to: scenario.broker, topic: SinkScenario.topic, count: 20_000, seed: 11)
            let service = try await scenario.serveUntilAllCommitted("sink-\(kind)")
            try await scenario.expectStored(exactly: SinkScenario.eventIDs(count: 20_000, seed: 11))
            let counts = SinkScenario.closingCounts(service)
            #expect(counts["stored"] == 20_000 && counts["duplicates"] == 0, "\(counts)")
            #expect(service.errorLines.isEmpty, "\(service.errorLines.map(\.message))")
        }
    }

    @Test("kill -9 mid-stream, then a restart: exactly one row per event, none missing; redeliveries counted", arguments: SinkKind.allCases)
    func crashThenRestart(_ kind: SinkKind) async throws {
        try await SinkScenario.run(kind, label: "crash") { scenario in
            let environment = scenario.environment(["KAFKA_CFG_AUTO_COMMIT_INTERVAL_MS": "1000"])
            let producing = try EventPublisher.start(to: scenario.broker, topic: SinkScenario.topic, count: 20_000, seed: 12, rate: 5_000)
            let first = try ServiceProcess(name: "sink-crash-first-\(kind)", environment: environment)
            try await scenario.waitUntilCommitted(atLeast: 5_000, first)
            first.kill()
            #expect(try await first.waitForExit() == .signalled(SIGKILL))
            let committedAtKill = try await scenario.committed.values.reduce(0, +)
            let storedAtKill = try await scenario.store.storedEventIDs().count
            try await producing.finish()

            let second = try await scenario.serveUntilAllCommitted("sink-crash-second-\(kind)", environment: environment)
            let stored = try await scenario.expectStored(exactly: SinkScenario.eventIDs(count: 20_000, seed: 12))
            let counts = SinkScenario.closingCounts(second)
            let redelivered = counts["duplicates"] ?? -1
            print(
                "sink \(kind) crash: at SIGKILL \(committedAtKill) offsets committed, \(storedAtKill) events stored; "
                    + "after the restart \(redelivered) redelivered events were duplicates, \(counts["stored"] ?? -1) stored, "
                    + "\(stored.count) rows in the end")
            // Exactly what was stored but not committed at the kill is delivered again and found stored already
            // (a partition's stored events are a prefix of it: batches are written in order).
            #expect(redelivered == storedAtKill - Int(committedAtKill))
            #expect((counts["stored"] ?? 0) + storedAtKill == 20_000)
        }
    }

    @Test("a stream with every event id twice: one row each, the repeats counted as duplicates", arguments: SinkKind.allCases)
    func duplicateEventIDs(_ kind: SinkKind) async throws {
        try await SinkScenario.run(kind, label: "dups") { scenario in
            // The same seed twice: the same 3000 events published twice (a producer that retried everything).
            try await EventPublisher.publish(to: scenario.broker, topic: SinkScenario.topic, count: 3_000, seed: 13)
            try await EventPublisher.publish(to: scenario.broker, topic: SinkScenario.topic, count: 3_000, seed: 13)
            let service = try await scenario.serveUntilAllCommitted("sink-dups-\(kind)")
            try await scenario.expectStored(exactly: SinkScenario.eventIDs(count: 3_000, seed: 13))
            let counts = SinkScenario.closingCounts(service)
            #expect(counts["stored"] == 3_000 && counts["duplicates"] == 3_000, "\(counts)")
        }
    }
}
