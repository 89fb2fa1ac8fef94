import Foundation
import Kafka
import Testing
import TestSupport

@Suite("event-producer executable")
struct ProducerCommandLineToolTests {
    /// Runs `event-producer` with `arguments` and returns its exit status and standard output.
    private func runEventProducer(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = try BuiltProducts.executableURL(named: "event-producer")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test("publishes the requested number of events, keyed, with every K-th one invalid")
    func publishesEventsWithInvalidOnes() throws {
        let broker = try MockBroker(topics: ["events": 1])
        defer { broker.stop() }
        let run = try runEventProducer([
            "--brokers", broker.bootstrapServers, "--topic", "events", "--count", "200",
            "--invalid-every", "10", "--batch-linger-ms", "10", "--seed", "7",
        ])
        #expect(run.status == 0)
        #expect(run.output.hasPrefix("Published 200 events (20 invalid, 0 not delivered) to events in "))

        let records = try ProducerRoundTripReader.read(
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
    func rejectsBadArguments() throws {
        let run = try runEventProducer(["--count", "-5"])
        #expect(run.status == 64)
        #expect(run.output.isEmpty)
    }

    @Test("undeliverable events make it exit non-zero")
    func failsWhenBrokersAreUnreachable() throws {
        let broker = try MockBroker(topics: ["events": 1])
        let unreachable = broker.bootstrapServers
        broker.stop()
        let run = try runEventProducer([
            "--brokers", unreachable, "--topic", "events", "--count", "5",
            "--kafka-property", "message.timeout.ms=1000", "--flush-timeout", "30",
        ])
        #expect(run.status == 1)
        #expect(run.output.contains("5 not delivered"))
    }
}
