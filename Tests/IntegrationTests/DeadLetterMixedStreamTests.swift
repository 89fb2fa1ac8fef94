import EventModel
import Foundation
import Kafka
import ProcessingCore
import Testing
import TestSupport
import EventModelTesting

/// The built service on a stream of valid events mixed with every kind of invalid record: every valid
/// event processed once, every invalid record in the dead-letter topic exactly once, unchanged, with
/// headers that say where it came from and why, every source offset committed, and the service alive.
@Suite(.timeLimit(.minutes(5)))
struct DeadLetterMixedStreamTests {
    @Test func everyInvalidRecordIsDeadLetteredOnceWithItsOriginAndEveryOffsetIsCommitted() async throws {
        let partitions = 4
        let broker = try await MockBroker(topics: ["events": partitions, "events.dlq": 2])
        let group = uniqueGroupID("dlq-mixed")
        let samples = SyntheticEventGenerator.invalidSamples()

        // 40 valid events per partition, the invalid samples spread between them; each invalid record
        // carries a header of its own, which must survive, and a key.
        var records = RecordPublisher.validEvents(topic: "events", count: 40 * partitions, partitions: partitions)
        for (index, sample) in samples.enumerated() {
            let record = ProducerRecord(
                topic: "events", partition: Int32(index % partitions), key: Array("invalid-\(index)".utf8), value: sample.value,
                headers: [KafkaHeader(name: "sample", value: Array(String(index).utf8))]
            )
            records.insert(record, at: min(records.count, index * 7 + 3))
        }
        let publisher = try RecordPublisher(bootstrapServers: broker.bootstrapServers)
        let positions = try await publisher.publish(records)
        await publisher.close()
        let invalidPositions = Dictionary(uniqueKeysWithValues: records.indices.filter { records[$0].headers.first?.name == "sample" }.map {
            (positions[$0], records[$0])
        })
        #expect(invalidPositions.count == samples.count)

        let service = try ServiceProcess(environment: ServiceProcess.environment(broker: broker, topic: "events", groupID: group))
        let ends = try await broker.highWatermarks(topic: "events", partitionCount: partitions)
        try await eventually("every source offset committed", timeout: .seconds(90)) {
            try await broker.committedOffsets(group: group, topic: "events", partitionCount: partitions) == ends
        }

        // Valid events: each processed exactly once; invalid ones never reached the processor.
        let validPositions = Set(positions).subtracting(invalidPositions.keys)
        let processed = service.processed
        #expect(processed.duplicates.isEmpty, "\(processed.duplicates)")
        #expect(processed.count == validPositions.count)
        for position in validPositions {
            #expect(processed.offsets(of: position.topicPartition.partition).contains(position.offset), "\(position) not processed")
        }

        // Dead letters: exactly one per invalid record, unchanged, with complete headers.
        let source = try await TopicSnapshot.read(topic: "events", partitionCount: partitions, bootstrapServers: broker.bootstrapServers)
        let sourceTimestamps = Dictionary(uniqueKeysWithValues: source.map { (TopicPartitionOffset($0.topicPartition, offset: $0.offset), $0.timestampMilliseconds) })
        let letters = try await TopicSnapshot.read(topic: "events.dlq", partitionCount: 2, bootstrapServers: broker.bootstrapServers)
        #expect(letters.count == samples.count)
        var seen = Set<TopicPartitionOffset>()
        for letter in letters {
            func header(_ name: String) -> String? { DeadLetterHeaders.value(name, in: letter.headers) }
            guard let partition = header(DeadLetterHeaders.originalPartition).flatMap(Int32.init),
                let offset = header(DeadLetterHeaders.originalOffset).flatMap(Int64.init)
            else {
                Issue.record("dead letter without its origin: \(letter.headers.map(\.name))")
                continue
            }
            let origin = TopicPartitionOffset(TopicPartition(topic: "events", partition: partition), offset: offset)
            #expect(seen.insert(origin).inserted, "\(origin) dead-lettered twice")
            guard let original = invalidPositions[origin] else {
                Issue.record("\(origin) is not an invalid record but was dead-lettered")
                continue
            }
            let sampleIndex = Int(String(decoding: original.headers[0].value ?? [], as: UTF8.self)) ?? -1
            let sample = samples[sampleIndex]
            #expect(letter.key == original.key, "key of \(sample.summary)")
            #expect(letter.value == original.value, "value of \(sample.summary) must be unchanged")
            #expect(letter.headers.first == original.headers.first, "the original header comes first, unchanged")
            #expect(header(DeadLetterHeaders.originalTopic) == "events")
            #expect(header(DeadLetterHeaders.originalTimestamp) == sourceTimestamps[origin]?.map { String($0) })
            #expect(header(DeadLetterHeaders.consumerGroup) == group)
            #expect(header(DeadLetterHeaders.errorClass) == sample.errorClass, "class of \(sample.summary)")
            let message = header(DeadLetterHeaders.errorMessage) ?? ""
            #expect(!message.isEmpty && message.utf8.count <= DeadLetterHeaders.maximumMessageBytes)
            #expect(header(DeadLetterHeaders.attempts) == "0", "invalid input is never retried")
            let first = try header(DeadLetterHeaders.firstFailure).map { try Date($0, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) }
            let last = try header(DeadLetterHeaders.lastFailure).map { try Date($0, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) }
            #expect(first != nil && last != nil && first! <= last!)
            #expect(header(DeadLetterHeaders.serviceVersion) == ServiceVersion.current)
            let dlqNames = letter.headers.map(\.name).filter { $0.hasPrefix(DeadLetterHeaders.prefix) }
            #expect(dlqNames.count == Set(dlqNames).count, "one set of dlq.* headers")
        }
        #expect(seen == Set(invalidPositions.keys))

        #expect(service.exitStatus == nil, "the service is alive")
        #expect(try await service.shutDown() == .exited(0))
    }
}
