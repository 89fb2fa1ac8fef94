import Foundation
import Kafka
import Testing
import TestSupport

/// The service with each durable store when things go wrong: the store away for 10 s, an event the store
/// rejects, SIGTERM while a batch cannot be written.
// Serialized: each case runs a broker, the service and a store; nine at once on 2 cores starve the other suites.
@Suite("Sinks end to end: failures", .serialized, .timeLimit(.minutes(5)))
struct SinkFailureTests {
    @Test("the store away for 10 s mid-stream: events wait, nothing is lost, nobody is evicted", arguments: SinkKind.allCases)
    func storeAwayTenSeconds(_ kind: SinkKind) async throws {
        try await SinkScenario.run(kind, label: "down") { scenario in
            // A poll interval shorter than the outage: an evicted consumer would show as a lost assignment.
            let environment = scenario.environment(["KAFKA_CFG_MAX_POLL_INTERVAL_MS": "7000"])
            // Events keep arriving before, during and after the outage (~20 s of them).
            let producing = try EventPublisher.start(to: scenario.broker, topic: SinkScenario.topic, count: 20_000, seed: 21, rate: 1_000)
            let service = try ServiceProcess(name: "sink-down-\(kind)", environment: environment)
            try await scenario.waitUntilCommitted(atLeast: 1_000, service)
            try await scenario.store.makeUnavailable()
            try await service.waitForLine("the store reported unavailable") { $0.message.hasPrefix("Event store unavailable") }
            let committedWhenDown = try await scenario.committed
            // The outage itself: this is the scenario's duration, not a wait for something to happen.
            try await Task.sleep(for: .seconds(10))
            let committedAfterOutage = try await scenario.committed
            let storedCountDuringOutage = kind == .files ? nil : try? await scenario.store.storedEventIDs().count
            try await scenario.store.makeAvailable()
            try await producing.finish()
            try await scenario.waitUntilAllCommitted(service)
            let linesBeforeShutdown = service.logLines
            #expect(try await service.shutDown() == .exited(0))

            try await scenario.expectStored(exactly: SinkScenario.eventIDs(count: 20_000, seed: 21))
            #expect(linesBeforeShutdown.contains { $0.message == "Event store reachable again" })
            #expect(
                !linesBeforeShutdown.contains { $0.message == "Partitions lost" || $0.message == "Partitions revoked" },
                "no eviction, no rebalance")
            // While the store was away nothing new became durable, so (beyond the batch in flight when it went)
            // commits stood still.
            let movedDuringOutage = zip(committedWhenDown.sorted(by: { $0.key < $1.key }), committedAfterOutage.sorted(by: { $0.key < $1.key }))
                .map { $1.value - $0.value }.reduce(0, +)
            #expect(movedDuringOutage <= 1_000, "committed \(committedWhenDown) → \(committedAfterOutage), stored then: \(String(describing: storedCountDuringOutage))")
        }
    }

    @Test("one event the store rejects is dead-lettered as sink_rejected with the store's message; the others are stored", arguments: SinkKind.allCases)
    func rejectedEventDeadLettered(_ kind: SinkKind) async throws {
        try await SinkScenario.run(kind, label: "reject") { scenario in
            let bad: [UInt8]
            let expectedMessage: String
            switch kind {
            case .postgres:
                bad = SampleEvents.document(eventID: "rejected-event", userID: "nul\\u0000inside")
                expectedMessage = "0x00"
            case .sqlite:
                // An operator's CHECK on the table; the service keeps an existing table as it is.
                try await scenario.store.createSQLiteTableWithCheck()
                bad = SampleEvents.document(eventID: "rejected-event", userID: "banned-user")
                expectedMessage = "CHECK constraint failed"
            case .files:
                bad = SampleEvents.document(eventID: "../rejected-event")
                expectedMessage = "file name"
            }
            try await EventPublisher.publish(to: scenario.broker, topic: SinkScenario.topic, count: 1_000, seed: 31)
            let publisher = try RecordPublisher(bootstrapServers: scenario.broker.bootstrapServers)
            _ = try await publisher.publish(ProducerRecord(topic: SinkScenario.topic, partition: 2, key: nil, value: bad))
            await publisher.close()
            try await EventPublisher.publish(to: scenario.broker, topic: SinkScenario.topic, count: 1_000, seed: 32)

            let service = try await scenario.serveUntilAllCommitted("sink-reject-\(kind)")
            // Counted with the pipeline's dead letters (the summary reads the same counters as /metrics).
            let summary = try #require(service.logLines.last { $0.message == "Consumer closed" }, "\(service.tail())")
            #expect(summary.metadata["dead_lettered"] == "1", "\(summary.metadata)")
            try await scenario.expectStored(exactly: SinkScenario.eventIDs(count: 1_000, seed: 31) + SinkScenario.eventIDs(count: 1_000, seed: 32))
            let letters = try await TopicSnapshot.read(
                topic: "\(SinkScenario.topic).dlq", partitionCount: SinkScenario.partitions, bootstrapServers: scenario.broker.bootstrapServers)
            #expect(letters.count == 1)
            let letter = try #require(letters.first)
            #expect(letter.value == bad, "the original value")
            let headers = Dictionary(letter.headers.map { ($0.name, String(decoding: $0.value ?? [], as: UTF8.self)) }) { first, _ in first }
            #expect(headers["dlq.error.class"] == "sink_rejected")
            #expect(headers["dlq.error.message"]?.contains(expectedMessage) == true, "\(headers["dlq.error.message"] ?? "none")")
            #expect(headers["dlq.original.partition"] == "2")
        }
    }

    @Test("SIGTERM while the store is down: the service ends within SHUTDOWN_TIMEOUT, and no committed offset passes an event that is not stored", arguments: SinkKind.allCases)
    func sigtermWhileStoreDown(_ kind: SinkKind) async throws {
        try await SinkScenario.run(kind, label: "sigterm") { scenario in
            // Still arriving when the store goes, so that batches are waiting for it at the SIGTERM.
            let producing = try EventPublisher.start(to: scenario.broker, topic: SinkScenario.topic, count: 10_000, seed: 41, rate: 1_000)
            let environment = scenario.environment(["SHUTDOWN_TIMEOUT": "3", "SINK_BATCH_SIZE": "500"])
            let service = try ServiceProcess(name: "sink-sigterm-\(kind)", environment: environment)
            try await scenario.waitUntilCommitted(atLeast: 500, service)
            try await scenario.store.makeUnavailable()
            try await service.waitForLine("the store reported unavailable") { $0.message.hasPrefix("Event store unavailable") }
            let (exit, took) = try await service.timedShutDown(timeout: .seconds(60))
            #expect(exit == .exited(0))
            // SHUTDOWN_TIMEOUT for the drain, then at most 5 s closing the consumer and the dead-letter
            // producer; 2 s for timers firing late under the suite's load. By the service's own clock: the
            // time until the test sees the exit includes the loaded test process reading the log.
            let shutdown = try #require(service.loggedShutdownDuration, "\(service.tail())")
            #expect(shutdown < .seconds(3 + 5 + 2), "took \(shutdown) (the exit was seen after \(took))")
            #expect(service.logLines.contains { $0.message.contains("did not finish within SHUTDOWN_TIMEOUT") })
            try await scenario.store.makeAvailable()
            try await producing.finish()

            let stored = Set(try await scenario.store.storedEventIDs())
            let published = try await scenario.publishedEventIDs()
            let committed = try await scenario.committed
            var checked = 0
            for (position, id) in published where position.offset < committed[position.topicPartition.partition, default: 0] {
                #expect(stored.contains(id), "offset \(position) is committed but its event is not stored")
                checked += 1
            }
            #expect(checked >= 500)
            #expect(stored.count < published.count, "the outage left events unstored (else the test proves nothing)")
        }
    }
}
