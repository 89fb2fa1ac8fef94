import EventModel
import Foundation
import Kafka
import Logging
import EventModelTesting

/// Publishes test records to the mock broker, each confirmed, and remembers where each one landed.
final class RecordPublisher: Sendable {
    private let producer: KafkaProducer

    init(bootstrapServers: String) throws {
        producer = try KafkaProducer(
            configuration: KafkaConfiguration([
                "bootstrap.servers": bootstrapServers, "linger.ms": "0", "enable.idempotence": "true", "log_level": "3",
            ]),
            logger: Logger(label: "record-publisher")
        )
    }

    /// Publishes `records` and returns where each was written, in the order given. Records of the same
    /// target partition are written in the order given (one after the other); partitions concurrently.
    func publish(_ records: [ProducerRecord]) async throws -> [TopicPartitionOffset] {
        var lanes: [String: [(Int, ProducerRecord)]] = [:]
        for (index, record) in records.enumerated() {
            lanes["\(record.topic)#\(record.partition ?? -1)", default: []].append((index, record))
        }
        return try await withThrowingTaskGroup(of: [(Int, TopicPartitionOffset)].self) { group in
            for lane in lanes.values {
                group.addTask {
                    var written: [(Int, TopicPartitionOffset)] = []
                    for (index, record) in lane { written.append((index, try await self.producer.send(record))) }
                    return written
                }
            }
            var positions = [TopicPartitionOffset?](repeating: nil, count: records.count)
            for try await written in group {
                for (index, position) in written { positions[index] = position }
            }
            return positions.compactMap { $0 }
        }
    }

    /// Publishes one record and returns where it was written.
    func publish(_ record: ProducerRecord) async throws -> TopicPartitionOffset {
        try await producer.send(record)
    }

    /// `count` valid synthetic events for `topic`, spread round-robin over `partitions` partitions.
    static func validEvents(topic: String, count: Int, partitions: Int, seed: UInt64 = 1) -> [ProducerRecord] {
        var generator = SyntheticEventGenerator(seed: seed)
        return (0..<count).map { index in
            let event = generator.next()
            return ProducerRecord(topic: topic, partition: Int32(index % partitions), key: event.key, value: event.value)
        }
    }

    func close() async {
        await producer.close()
    }
}
