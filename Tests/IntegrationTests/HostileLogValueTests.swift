import EventModel
import Foundation
import Kafka
import Testing
import TestSupport
import EventModelTesting

/// Issue 11, item 10, with the built binary: values from the wire cannot forge log lines, reach the
/// terminal as control sequences, or make huge lines. Before, an `event_type` holding a newline printed a
/// standalone forged line in text logs, ANSI escapes passed through raw, and a large `event_type` made a
/// line twice its size.
@Suite("processing-service: hostile event values in the logs")
struct HostileLogValueTests {
    static let topic = "hostile-log-events"
    static let forgedLine = "2026-01-01 00:00:00 - ProcessingService - CRITICAL - FAKE"
    static let ansi = "\u{1B}[31mred\u{1B}[0m\u{9B}2J"
    static let hugeLength = 600_000

    /// Four valid events in one partition, in order: a forged line after a newline, ANSI escapes, a huge
    /// `event_type`, then a plain one (its line shows the others were all processed).
    static func publishHostileEvents(to broker: MockBroker) async throws {
        var generator = SyntheticEventGenerator(seed: 7)
        let eventTypes = ["page_view\n" + forgedLine, "click" + ansi, String(repeating: "x", count: hugeLength), "last_event"]
        let records = try eventTypes.map { eventType in
            let event = generator.next()
            var object = try #require(try JSONSerialization.jsonObject(with: Data(event.value)) as? [String: Any])
            object["event_type"] = eventType
            let value = try JSONSerialization.data(withJSONObject: object)
            return ProducerRecord(topic: topic, partition: 0, key: event.key, value: Array(value))
        }
        let publisher = try RecordPublisher(bootstrapServers: broker.bootstrapServers)
        _ = try await publisher.publish(records)
        await publisher.close()
    }

    @Test("text format: one line per event, control characters visible, values cut to their documented length")
    func textFormat() async throws {
        let broker = try await MockBroker(brokers: 1, topics: [Self.topic: 1, Self.topic + ".dlq": 1])
        defer { broker.requestStop() }
        try await Self.publishHostileEvents(to: broker)
        let lock = NSLock()
        nonisolated(unsafe) var lines: [String] = []
        let child = try ChildProcess(
            name: "service-hostile-text",
            executable: try BuiltProducts.executableURL(named: "processing-service"),
            arguments: [],
            environment: ServiceProcess.environment(broker: broker, topic: Self.topic, groupID: uniqueGroupID("hostile"), ["LOG_FORMAT": "text"]),
            onLine: { line in lock.withLock { lines.append(line) } }
        )
        try await eventually("the last event's line") {
            lock.withLock { lines.contains { $0.contains(" - INFO - Processing event: last_event ") } }
        }
        child.send(signal: SIGTERM)
        #expect(try await child.waitForExit(timeout: .seconds(60)) == .exited(0), "\(child.standardError)")
        let logged = lock.withLock { lines }

        #expect(!logged.contains { $0.hasPrefix(Self.forgedLine) }, "no forged standalone line")
        let forged = try #require(logged.first { $0.contains("Processing event: page_view") })
        #expect(forged.contains("Processing event: page_view\\n" + Self.forgedLine), "the newline is shown as \\n: \(forged)")
        #expect(forged.contains("event_type=\"page_view\\n2026-01-01"), "and quoted in metadata: \(forged)")

        #expect(!logged.contains { $0.utf8.contains(0x1B) }, "no raw ESC in any line")
        #expect(!logged.contains { $0.unicodeScalars.contains("\u{9B}") }, "no raw C1 CSI in any line")
        let colored = try #require(logged.first { $0.contains("Processing event: click") })
        #expect(colored.contains("Processing event: click\\u001b[31mred\\u001b[0m\\u009b2J"), "\(colored)")

        let huge = try #require(logged.first { $0.contains("Processing event: xxxx") })
        let hugeLineLength = huge.utf8.count
        #expect(hugeLineLength < 4096 + 1024 + 1024, "a \(Self.hugeLength)-byte event_type gives a \(hugeLineLength)-byte line")
        // (Bools, so a failure does not print a 600 kB line.)
        let messageMarked = huge.contains("…[truncated from \(Self.hugeLength + "Processing event: ".utf8.count) bytes]")
        let valueMarked = huge.contains("…[truncated from \(Self.hugeLength) bytes]\"")
        #expect(messageMarked, "the message says it was cut")
        #expect(valueMarked, "the event_type value says it was cut, quoted")
        let longest = logged.map(\.utf8.count).max() ?? 0
        #expect(longest < 8192, "every line is bounded")
    }

    @Test("JSON format: every line parses, strings are escaped and cut the same way")
    func jsonFormat() async throws {
        let broker = try await MockBroker(brokers: 1, topics: [Self.topic: 1, Self.topic + ".dlq": 1])
        defer { broker.requestStop() }
        try await Self.publishHostileEvents(to: broker)
        let service = try ServiceProcess(
            environment: ServiceProcess.environment(broker: broker, topic: Self.topic, groupID: uniqueGroupID("hostile-json"))
        )
        try await service.waitForProcessed(count: 4)
        #expect(try await service.shutDown() == .exited(0), "\(service.tail())")
        #expect(service.unparsedLines.isEmpty, "every line is JSON: \(service.unparsedLines.prefix(2).map { $0.prefix(200) })")
        let events = service.logLines.filter { $0.processedEvent != nil }
        #expect(events.count == 4)
        #expect(events.first?.metadata["event_type"] == "page_view\n" + Self.forgedLine, "JSON carries the value exactly")
        let huge = try #require(events.first { $0.message.hasPrefix("Processing event: xxx") })
        let hugeType = try #require(huge.metadata["event_type"])
        let cutAsDocumented = hugeType == String(repeating: "x", count: 1024) + "…[truncated from \(Self.hugeLength) bytes]"
        #expect(cutAsDocumented, "event_type is \(hugeType.utf8.count) bytes: \(hugeType.suffix(40))")
        let messageLength = huge.message.utf8.count
        #expect(messageLength < 4096 + 64)
    }
}
