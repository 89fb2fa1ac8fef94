import Foundation
import Kafka
import Subprocess
import SystemPackage
import Testing
import TestSupport

@Suite("event-producer executable")
struct ProducerCommandLineToolTests {
    /// Runs `event-producer` with `arguments` (under swift-subprocess: the test suspends, no thread
    /// blocks) and returns its exit status and standard output.
    private func runEventProducer(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let executable = try BuiltProducts.executableURL(named: "event-producer")
        let result = try await Subprocess.run(
            .path(FilePath(executable.path)), arguments: Arguments(arguments),
            output: .string(limit: 1 << 20), error: .currentStandardError)
        guard case .exited(let status) = result.terminationStatus else {
            Issue.record("event-producer ended with \(result.terminationStatus)")
            return (-1, result.standardOutput)
        }
        return (status, result.standardOutput)
    }

    @Test("publishes the requested number of events, keyed, with every K-th one invalid")
    func publishesEventsWithInvalidOnes() async throws {
        let broker = try await MockBroker(topics: ["events": 1])
        defer { broker.requestStop() }
        let run = try await runEventProducer([
            "--brokers", broker.bootstrapServers, "--topic", "events", "--count", "200",
            "--invalid-every", "10", "--batch-linger-ms", "10", "--seed", "7",
        ])
        #expect(run.status == 0)
        #expect(run.output.hasPrefix("Published 200 events (20 invalid, 0 not delivered) to events in "))

        let records = try await ProducerRoundTripReader.read(
            bootstrapServers: broker.bootstrapServers, topic: "events", partition: 0, count: 200)
        #expect(records.count == 200)
        #expect(records.allSatisfy { $0.key.map { String(decoding: $0, as: UTF8.self).hasPrefix("user-") } == true })
        // Every 10th record is one of the invalid samples, which include a tombstone and an empty value.
        let invalid = stride(from: 9, to: 200, by: 10).map { records[$0] }
        #expect(invalid.contains { $0.value == nil })
        #expect(invalid.contains { $0.value == [] })
        let valid = records.enumerated().filter { ($0.offset + 1) % 10 != 0 }.map(\.element)
        for record in valid {
            let object = try JSONSerialization.jsonObject(with: Data(record.value ?? [])) as? [String: Any]
            #expect(object?["event_type"] is String)
            #expect((object?["user_id"] as? String).map { Array($0.utf8) } == record.key)
        }
    }

    @Test("a usage error exits with the usage status and no publishing")
    func rejectsBadArguments() async throws {
        let run = try await runEventProducer(["--count", "-5"])
        #expect(run.status == 64)
        #expect(run.output.isEmpty)
    }

    @Test("undeliverable events make it exit non-zero")
    func failsWhenBrokersAreUnreachable() async throws {
        let broker = try await MockBroker(topics: ["events": 1])
        let unreachable = broker.bootstrapServers
        await broker.stop()
        let run = try await runEventProducer([
            "--brokers", unreachable, "--topic", "events", "--count", "5",
            "--kafka-property", "message.timeout.ms=1000", "--flush-timeout", "30",
        ])
        #expect(run.status == 1)
        #expect(run.output.contains("5 not delivered"))
    }
}
