import EventSinks
import Foundation
import Kafka
import ProcessingCore
import TestSupport

/// Issue 14's (b): the whole service, Kafka → store. A `mock-kafka` broker (its own process) with the
/// events produced by `event-producer`, then `processing-service` with `SINK` set, timed from its group's
/// first committed offset to every offset committed (as `consumer-benchmark` times the service), the
/// stored row count checked. The executables are the release builds next to this one.
struct EndToEnd {
    let kind: SinkBenchmarkCommand.Kind
    let count: Int
    let batchSize: Int

    static let topic = "events"
    static let partitions = 48

    /// Events per second through the service into the store, after the store's own schema exists.
    func run(environment store: [String: String], storedCount: () async throws -> Int) async throws -> Double {
        let broker = try await MockBroker(topics: [Self.topic: Self.partitions])
        defer { broker.requestStop() }
        try runTool("event-producer", [
            "--brokers", broker.bootstrapServers, "--topic", Self.topic, "--count", String(count), "--seed", "4",
            "--batch-linger-ms", "500",
        ])
        let group = "sink-bench-\(UUID().uuidString.prefix(8))"
        let service = Process()
        service.executableURL = try BuiltProducts.executableURL(named: "processing-service")
        service.environment = ProcessInfo.processInfo.environment.merging(store) { $1 }.merging([
            "KAFKA_BROKERS": broker.bootstrapServers, "KAFKA_TOPIC": Self.topic, "KAFKA_GROUP_ID": group,
            "LOG_LEVEL": "warning", "LOG_FORMAT": "text", "DLQ_ENABLED": "false", "SINK_BATCH_SIZE": String(batchSize),
            "KAFKA_CFG_AUTO_COMMIT_INTERVAL_MS": "100",
            // No HTTP server: its default port (8080) may be taken, and the consumer benchmark measures without it too.
            "HTTP_ENABLED": "false",
        ]) { $1 }
        service.standardOutput = FileHandle.nullDevice
        try service.run()
        defer {
            if service.isRunning { kill(service.processIdentifier, SIGTERM) }
            service.waitUntilExit()
        }
        let offsets = try KafkaOffsetClient(
            configuration: KafkaConfiguration(["bootstrap.servers": broker.bootstrapServers, "group.id": group, "log_level": "3"]))
        let partitions = (0..<Int32(Self.partitions)).map { TopicPartition(topic: Self.topic, partition: $0) }
        let clock = ContinuousClock()
        var first: (instant: ContinuousClock.Instant, committed: Int64)?
        let deadline = clock.now + .seconds(600)
        while true {
            guard service.isRunning else { throw BenchmarkFailure("processing-service exited (\(service.terminationStatus))") }
            guard clock.now < deadline else { throw BenchmarkFailure("not everything committed within 600 s") }
            let committed = try await offsets.committedOffsets(of: partitions).values.filter { $0 > 0 }.reduce(0, +)
            let now = clock.now
            if first == nil, committed > 0 { first = (now, committed) }
            if committed >= Int64(count), let first {
                guard committed > first.committed else { throw BenchmarkFailure("everything committed at once: use more events") }
                let window = now - first.instant
                let seconds = Double(window.components.seconds) + Double(window.components.attoseconds) / 1e18
                let stored = try await storedCount()
                guard stored == count else { throw BenchmarkFailure("\(stored) events stored, expected \(count)") }
                print(String(format: "  service: %lld events committed in %.2f s after the first commit", committed - first.committed, seconds))
                return Double(committed - first.committed) / seconds
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    private func runTool(_ name: String, _ arguments: [String]) throws {
        _ = try ProcessOutput.succeeding(try BuiltProducts.executableURL(named: name).path, arguments)
    }
}
