import Foundation
import Kafka
import Logging
import Synchronization
import TestSupport

/// Reads every record of a topic, up to the high watermarks at the time of the call, with a fresh
/// consumer group: what a topic (e.g. the dead-letter topic) holds, as a test checks it.
enum TopicSnapshot {
    /// The records of `topic` (all `partitionCount` partitions), in offset order per partition.
    /// - Parameter timeout: a hang bound.
    static func read(
        topic: String, partitionCount: Int, bootstrapServers: String, timeout: Duration = .seconds(60)
    ) async throws -> [KafkaRecord] {
        let group = "snapshot-\(UUID().uuidString)"
        let watermarks = try await KafkaOffsetClient(configuration: KafkaConfiguration(["bootstrap.servers": bootstrapServers, "log_level": "3"]))
            .watermarks(of: TopicPartition.all(of: topic, count: partitionCount))
        let ends = Dictionary(uniqueKeysWithValues: watermarks.map { ($0.key.partition, $0.value.high) })
        guard ends.values.contains(where: { $0 > 0 }) else { return [] }
        let collector = RecordCollector()
        let consumer = try KafkaConsumer(
            configuration: KafkaConfiguration([
                "bootstrap.servers": bootstrapServers, "group.id": group, "auto.offset.reset": "earliest",
                "enable.auto.commit": "false", "log_level": "3",
            ]),
            options: .init(topics: [topic]),
            delegate: collector,
            logger: Logger(label: "topic-snapshot")
        )
        let run = Task { try await consumer.run() }
        defer { consumer.close() }
        try await eventually("\(topic) read to \(ends)", timeout: timeout, details: { "got \(collector.nextOffsets)" }) {
            let next = collector.nextOffsets
            return ends.allSatisfy { partition, end in end == 0 || next[partition, default: 0] >= end }
        }
        consumer.close()
        _ = try? await run.value
        return collector.records.filter { $0.offset < ends[$0.topicPartition.partition, default: 0] }
    }
}

/// A consumer delegate that keeps every record.
final class RecordCollector: KafkaConsumerDelegate {
    private let state = Mutex<[KafkaRecord]>([])

    var records: [KafkaRecord] { state.withLock { $0 } }

    /// The offset after the last record received, per partition.
    var nextOffsets: [Int32: Int64] {
        state.withLock { records in
            var next: [Int32: Int64] = [:]
            for record in records { next[record.topicPartition.partition] = max(next[record.topicPartition.partition] ?? 0, record.offset + 1) }
            return next
        }
    }

    func consumer(_ consumer: KafkaConsumer, didAssign partitions: [TopicPartition]) {}
    func consumer(_ consumer: KafkaConsumer, willRevoke partitions: [TopicPartition], lost: Bool) -> [TopicPartitionOffset] { [] }
    func consumer(_ consumer: KafkaConsumer, didReceive records: [KafkaRecord]) { state.withLock { $0.append(contentsOf: records) } }
    func consumer(_ consumer: KafkaConsumer, didEncounter error: KafkaError) {}
}
