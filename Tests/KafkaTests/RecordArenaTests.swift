import CRdKafka
import Testing
import TestSupport

@testable import Kafka

/// The record arena: `RecordBytes` (byte ranges in a shared `RecordArena`) and `NativeRecordReader`, which
/// copies native messages into arenas, one per run of one partition, each value followed by zero padding.
@Suite("record arena: RecordBytes and NativeRecordReader")
struct RecordArenaTests {
    static let partition = TopicPartition(topic: "arena", partition: 3)

    /// The value and the `valuePadding` bytes after it, read in place.
    static func paddedValue(_ record: KafkaRecord) -> [UInt8]? {
        record.withUnsafePaddedValue { value, _ in
            value.map { Array(UnsafeRawBufferPointer(start: $0.baseAddress, count: $0.count + KafkaRecord.valuePadding)) }
        }
    }

    static func owner(_ record: KafkaRecord) -> ObjectIdentifier {
        record.withUnsafePaddedValue { _, owner in ObjectIdentifier(owner) }
    }

    @Test("a hand-made record keeps key and value apart; no key, a tombstone and an empty value stay distinct")
    func handMadeRecords() {
        let both = RecordBytes(topicPartition: Self.partition, key: [1, 2], value: [3, 4, 5])
        #expect(both.key == [1, 2])
        #expect(both.value == [3, 4, 5])
        #expect(both.valueCountOrNil == 3)
        #expect(both.topicPartition == Self.partition)
        let noKey = RecordBytes(topicPartition: Self.partition, key: nil, value: [9])
        #expect(noKey.key == nil)
        #expect(noKey.value == [9])
        let tombstone = RecordBytes(topicPartition: Self.partition, key: [1], value: nil)
        #expect(tombstone.value == nil)
        #expect(tombstone.valueCountOrNil == nil)
        #expect(tombstone.withUnsafeValue { $0 == nil })
        let empty = RecordBytes(topicPartition: Self.partition, key: [], value: [])
        #expect(empty.key == [])
        #expect(empty.value == [])
        #expect(empty.valueCountOrNil == 0)
    }

    @Test("a value is followed in place by valuePadding zero bytes, even after a key")
    func handMadeValueIsPadded() {
        let record = KafkaRecord(
            topicPartition: Self.partition, offset: 0, key: [0xFF, 0xFF], value: Array(repeating: 0xAB, count: 7),
            timestampMilliseconds: nil, headers: [])
        let padded = Self.paddedValue(record)
        #expect(padded == Array(repeating: 0xAB, count: 7) + Array(repeating: 0, count: KafkaRecord.valuePadding))
    }

    @Test("the owner handed out with the value keeps the bytes alive after the record is gone, and only so long")
    func ownerKeepsTheArenaAlive() {
        weak var arena: AnyObject?
        var owner: AnyObject?
        var pointer: UnsafeRawPointer?
        do {
            let record = KafkaRecord(
                topicPartition: Self.partition, offset: 0, key: nil, value: [1, 2, 3], timestampMilliseconds: nil, headers: [])
            record.withUnsafePaddedValue { value, object in
                owner = object
                arena = object
                pointer = value?.baseAddress
            }
        }
        #expect(owner != nil && arena != nil, "held by the owner reference")
        #expect(Array(UnsafeRawBufferPointer(start: pointer, count: 3)) == [1, 2, 3])
        owner = nil
        #expect(arena == nil, "freed with its last holder")
    }

    /// Produces `records` to a fresh broker and copies them back through a `NativeRecordReader`.
    static func readBack(
        _ records: [ProducerRecord], partitions: [Int32], arenaByteLimit: Int = NativeRecordReader.maxArenaBytes,
        producerProperties: [String: String] = [:]
    ) async throws -> [KafkaRecord] {
        let broker = try await MockBroker(topics: ["arena": 2])
        defer { broker.requestStop() }
        try await ConsumerTestProducer.produce(records, bootstrapServers: broker.bootstrapServers, properties: producerProperties)
        return try await ProducerRoundTripReader.withMessages(
            bootstrapServers: broker.bootstrapServers, topic: "arena", partitions: partitions, count: records.count
        ) { messages in
            var reader = NativeRecordReader(arenaByteLimit: arenaByteLimit)
            var copied: [KafkaRecord] = []
            reader.appendRecords(of: messages.pointers, to: &copied)
            return copied
        }
    }

    @Test("native messages: keys, values, tombstones and missing keys copied; each value padded; one arena per partition run")
    func nativeMessagesAreCopiedIntoPaddedArenas() async throws {
        let values: [[UInt8]?] = [Array("first".utf8), nil, [], Array(repeating: 0x7A, count: 300), Array("last".utf8)]
        let keys: [[UInt8]?] = [Array("k1".utf8), Array("k2".utf8), nil, [], Array("k5".utf8)]
        let sent = zip(keys, values).map { ProducerRecord(topic: "arena", partition: 0, key: $0, value: $1) }
            + [ProducerRecord(topic: "arena", partition: 1, key: nil, value: Array("other".utf8))]
        let records = try await Self.readBack(sent, partitions: [0, 1])

        let first = records.filter { $0.topicPartition.partition == 0 }
        #expect(first.map(\.offset) == [0, 1, 2, 3, 4])
        #expect(first.map(\.value) == values)
        #expect(first.map(\.key) == keys, "no key stays nil, an empty key stays empty")
        for record in records where record.valueCount != nil {
            let padded = try #require(Self.paddedValue(record))
            #expect(padded.suffix(KafkaRecord.valuePadding).allSatisfy { $0 == 0 }, "offset \(record.offset)")
        }
        // Consecutive records of one partition share one arena; another partition never shares it.
        for (previous, next) in zip(records, records.dropFirst()) {
            let shared = Self.owner(previous) == Self.owner(next)
            #expect(shared == (previous.topicPartition == next.topicPartition))
        }
        #expect(records.filter { $0.topicPartition.partition == 1 }.map(\.value) == [Array("other".utf8)])
    }

    @Test("a run that would pass the arena bound (2 GiB in the service) continues in a new arena, bytes intact")
    func runsSplitAtTheArenaBound() async throws {
        let values = (0..<6).map { Array(repeating: UInt8(0x41 + $0), count: 40) }
        let sent = values.map { ProducerRecord(topic: "arena", partition: 0, key: nil, value: $0) }
        // Two values and their padding fit in 150 bytes, a third does not.
        let records = try await Self.readBack(sent, partitions: [0], arenaByteLimit: 150)
        #expect(records.map(\.value) == values)
        let owners = records.map(Self.owner)
        #expect(Set(owners).count == 3, "6 records of 72 bytes each in arenas of at most 150 bytes")
        #expect(owners[0] == owners[1] && owners[2] == owners[3] && owners[4] == owners[5])
        for record in records {
            #expect(try #require(Self.paddedValue(record)).suffix(KafkaRecord.valuePadding).allSatisfy { $0 == 0 })
        }
    }
}
