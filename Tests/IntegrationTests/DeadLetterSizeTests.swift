import Foundation
import Kafka
import Logging
import ProcessingCore
import Testing
import TestSupport

/// Issue 11 item 4: a record too large to dead-letter stopped its partition forever (the letter looped
/// on MSG_SIZE_TOO_LARGE with growing backoff; the valid event behind it was never processed).
@Suite(.timeLimit(.minutes(5)))
struct DeadLetterSizeTests {
    /// Publishes `invalid` (not JSON) at offset 0 of `events[0]`, then one valid event.
    func publish(invalid: [UInt8], to broker: MockBroker) async throws {
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration([
                "bootstrap.servers": broker.bootstrapServers, "linger.ms": "0", "message.max.bytes": "10000000", "log_level": "3",
            ]),
            logger: Logger(label: "large-publisher"))
        _ = try await producer.send(ProducerRecord(topic: "events", partition: 0, key: Array("big".utf8), value: invalid))
        for record in RecordPublisher.validEvents(topic: "events", count: 1, partitions: 1) {
            _ = try await producer.send(record)
        }
        await producer.close()
    }

    @Test("a 2 MB invalid record is dead-lettered whole (the producer's limits follow the consumer's) and the event behind it is processed")
    func aRecordTheConsumerCanFetchCanBeDeadLettered() async throws {
        let broker = try await MockBroker(topics: ["events": 1, "events.dlq": 1])
        defer { broker.requestStop() }
        let invalid = [UInt8](repeating: UInt8(ascii: "x"), count: 2_000_000)
        try await publish(invalid: invalid, to: broker)
        let service = try ServiceProcess(
            name: "service-large-letter",
            environment: ServiceProcess.environment(broker: broker, topic: "events", groupID: uniqueGroupID("large-letter")))
        try await service.waitUntil("the event behind the letter processed", timeout: .seconds(60)) { $0.processed.offsets(of: 0).contains(1) }
        let letters = try await TopicSnapshot.read(topic: "events.dlq", partitionCount: 1, bootstrapServers: broker.bootstrapServers)
        #expect(letters.count == 1)
        #expect(letters.first?.value == invalid, "the letter keeps the original value")
        #expect(try await service.shutDown() == .exited(0), "\(service.tail())")
    }

    @Test("a letter the broker refuses for its size (MSG_SIZE_TOO_LARGE) is written with its value truncated and headers saying so")
    func aSizeRejectionWritesATruncatedLetter() async throws {
        let broker = try await MockBroker(topics: ["events": 1, "events.dlq": 1])
        defer { broker.requestStop() }
        let invalid = [UInt8](repeating: UInt8(ascii: "y"), count: 200_000)
        try await publish(invalid: invalid, to: broker)
        // From now on the service is the only producer: its first Produce request (the letter) is
        // refused with MSG_SIZE_TOO_LARGE (10), as a topic with a smaller max.message.bytes would.
        try await broker.pushRequestErrors(apiKey: 0, errorCodes: [10])
        let service = try ServiceProcess(
            name: "service-truncated-letter",
            environment: ServiceProcess.environment(broker: broker, topic: "events", groupID: uniqueGroupID("truncated-letter")))
        try await service.waitUntil("the event behind the letter processed", timeout: .seconds(60)) { $0.processed.offsets(of: 0).contains(1) }
        let letters = try await TopicSnapshot.read(topic: "events.dlq", partitionCount: 1, bootstrapServers: broker.bootstrapServers)
        let letter = try #require(letters.last, "a letter was written")
        #expect(letter.value?.count == 64 * 1024)
        #expect(DeadLetterHeaders.value(DeadLetterHeaders.valueTruncated, in: letter.headers) == "true")
        #expect(DeadLetterHeaders.value(DeadLetterHeaders.originalValueSize, in: letter.headers) == "200000")
        #expect(DeadLetterHeaders.value(DeadLetterHeaders.originalOffset, in: letter.headers) == "0")
        #expect(service.errorLines.contains { $0.message.hasPrefix("Dead letter too large") }, "\(service.tail())")
        #expect(try await service.shutDown() == .exited(0), "\(service.tail())")
    }
}
