import CRdKafka
import Testing
import TestSupport

@testable import Kafka

/// `NativeRecordReader.recordSaysItHasNoHeaders`: the header count read in place from a v2 record, so that
/// records without headers skip `rd_kafka_message_headers` (an allocation each). It must never claim "no
/// headers" for a record that has some, and must recognise real headerless v2 records.
@Suite("record headers: the in-place header count")
struct RecordHeaderShortcutTests {
    /// A native message whose value sits at `valueAt` in `bytes` (nil: a tombstone).
    static func withMessage<R>(_ bytes: [UInt8], valueAt start: Int?, count: Int, _ body: (rd_kafka_message_t) -> R) -> R {
        var storage = bytes
        return storage.withUnsafeMutableBytes { buffer in
            var message = rd_kafka_message_t()
            message.payload = start.map { buffer.baseAddress! + $0 }
            message.len = count
            return body(message)
        }
    }

    @Test("v2 layout: count 0 after the value is 'no headers'; a count, a negative count, a tombstone or an empty value is not")
    func v2Layouts() {
        // … keyLength (varint -1: no key), valueLength (varint 3 → zig-zag 6), value "abc", header count.
        let prefix: [UInt8] = [0x20, 0x00, 0x00, 0x00, 0x01, 0x06]
        let value = Array("abc".utf8)
        #expect(Self.withMessage(prefix + value + [0x00], valueAt: prefix.count, count: 3, NativeRecordReader.recordSaysItHasNoHeaders))
        #expect(!Self.withMessage(prefix + value + [0x02, 0x02, 0x61, 0x00], valueAt: prefix.count, count: 3, NativeRecordReader.recordSaysItHasNoHeaders), "one header")
        #expect(!Self.withMessage(prefix + value + [0x01], valueAt: prefix.count, count: 3, NativeRecordReader.recordSaysItHasNoHeaders), "count -1")
        #expect(!Self.withMessage(prefix + [0x00], valueAt: nil, count: 0, NativeRecordReader.recordSaysItHasNoHeaders), "a tombstone has no value to look behind")
        // An empty value: librdkafka points it at a static "" (whose terminator reads 0), not into the record.
        #expect(!Self.withMessage([0x00, 0x00, 0x00, 0x00, 0x00], valueAt: 4, count: 0, NativeRecordReader.recordSaysItHasNoHeaders), "an empty value")
    }

    @Test("v0/v1 layout (the value after its 4-byte big-endian length): always left to librdkafka")
    func v1LayoutIsLeftToLibrdkafka() {
        let value = Array("abc".utf8)
        let prefix: [UInt8] = [0xFF, 0xFF, 0x00, 0x00, 0x00, 0x03]
        // What follows is the next message's offset (high byte 0) or the end of the message set.
        #expect(!Self.withMessage(prefix + value + [0x00], valueAt: prefix.count, count: 3, NativeRecordReader.recordSaysItHasNoHeaders))
    }

    @Test("real records, plain and compressed: the shortcut holds only for records without headers, and every header survives", arguments: ["none", "lz4", "snappy"])
    func realRecords(compression: String) async throws {
        let sent: [ProducerRecord] = (0..<40).map { index in
            let headers: [KafkaHeader] = switch index % 4 {
            case 0: []
            case 1: [KafkaHeader(name: "trace", value: Array("t-\(index)".utf8))]
            case 2: [KafkaHeader(name: "a", value: nil), KafkaHeader(name: "b", value: [])]
            default: []
            }
            let value: [UInt8]? = index % 10 == 9 ? nil : index % 10 == 7 ? [] : Array("value-\(index)".utf8)
            return ProducerRecord(topic: "arena", partition: 0, key: index % 3 == 0 ? nil : Array("k\(index)".utf8), value: value, headers: headers)
        }
        let broker = try await MockBroker(topics: ["arena": 1])
        defer { broker.requestStop() }
        try await ConsumerTestProducer.produce(sent, bootstrapServers: broker.bootstrapServers, properties: ["compression.type": compression, "linger.ms": "50"])
        let (shortcuts, records) = try await ProducerRoundTripReader.withMessages(
            bootstrapServers: broker.bootstrapServers, topic: "arena", partitions: [0], count: sent.count
        ) { messages in
            let shortcuts = messages.pointers.map { NativeRecordReader.recordSaysItHasNoHeaders($0.pointee) }
            var reader = NativeRecordReader()
            var records: [KafkaRecord] = []
            reader.appendRecords(of: messages.pointers, to: &records)
            return (shortcuts, records)
        }
        #expect(NativeRecordReader.readsHeaderCountInPlace, "the linked librdkafka is the 2.0 release the shortcut was checked against")
        #expect(records.map(\.headers) == sent.map(\.headers))
        #expect(records.map(\.value) == sent.map(\.value))
        for (index, record) in sent.enumerated() {
            if !record.headers.isEmpty {
                #expect(!shortcuts[index], "record \(index) has headers")
            } else if let value = record.value, !value.isEmpty {
                #expect(shortcuts[index], "record \(index), a v2 record without headers, is recognised in place")
            }
        }
    }
}
