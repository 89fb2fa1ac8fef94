import Foundation
import Kafka
import Testing
@testable import ProcessingCore

/// The cut-down forms of a dead letter the brokers refuse for its size, and the producer limits that
/// follow the consumer's (issue 11 item 4).
struct DeadLetterTruncationTests {
    let letter = DeadLetter(
        record: KafkaRecord(
            topicPartition: TopicPartition(topic: "events", partition: 2), offset: 7,
            key: [UInt8](repeating: 1, count: 5_000), value: [UInt8](repeating: 2, count: 300_000),
            timestampMilliseconds: 1, headers: [KafkaHeader(name: "trace", value: Array("abc".utf8))]),
        failure: "invalid_json", message: "not JSON", attempts: 0, firstFailure: Date(), lastFailure: Date())

    var headers: [KafkaHeader] { DeadLetterHeaders.headers(for: letter, consumerGroup: "g", serviceVersion: "1") }

    @Test func theWholeLetterIsUnchanged() {
        let record = DeadLetterTruncation.record(letter, headers: headers, topic: "dlq", step: .whole)
        #expect(record.value?.count == 300_000 && record.key?.count == 5_000)
        #expect(DeadLetterHeaders.value(DeadLetterHeaders.valueTruncated, in: record.headers) == nil)
    }

    @Test func theFirstCutTruncatesTheValueAndSaysSo() {
        let record = DeadLetterTruncation.record(letter, headers: headers, topic: "dlq", step: .valueTruncated)
        #expect(record.value?.count == DeadLetterTruncation.keptValueBytes)
        #expect(record.key?.count == 5_000)
        #expect(DeadLetterHeaders.value(DeadLetterHeaders.valueTruncated, in: record.headers) == "true")
        #expect(DeadLetterHeaders.value(DeadLetterHeaders.originalValueSize, in: record.headers) == "300000")
        #expect(DeadLetterHeaders.value("trace", in: record.headers) == "abc", "original headers kept")
        #expect(DeadLetterHeaders.value(DeadLetterHeaders.originalOffset, in: record.headers) == "7")
    }

    @Test func theLastCutKeepsOnlyTheDeadLetterHeaders() {
        let record = DeadLetterTruncation.record(letter, headers: headers, topic: "dlq", step: .valueAndHeadersDropped)
        #expect(record.value == [])
        #expect(record.key?.count == DeadLetterTruncation.keptKeyBytes)
        #expect(DeadLetterHeaders.value("trace", in: record.headers) == nil)
        #expect(DeadLetterHeaders.value(DeadLetterHeaders.originalHeadersDropped, in: record.headers) == "1")
        #expect(DeadLetterHeaders.value(DeadLetterHeaders.originalValueSize, in: record.headers) == "300000")
        #expect(DeadLetterTruncation.Step.valueAndHeadersDropped.next == nil, "nothing after the last cut: the error is thrown")
    }

    @Test func onlySizeErrorsAreCutDown() {
        #expect(DeadLetterTruncation.isSizeRejection(KafkaError(kind: .other, code: 10, message: "MSG_SIZE_TOO_LARGE")))
        #expect(DeadLetterTruncation.isSizeRejection(KafkaError(kind: .other, code: 18, message: "RECORD_LIST_TOO_LARGE")))
        #expect(!DeadLetterTruncation.isSizeRejection(KafkaError(kind: .authentication, code: 29, message: "TOPIC_AUTHORIZATION_FAILED")))
    }

    @Test func theProducerAcceptsWhatTheConsumerCanFetch() {
        // librdkafka's default receive.message.max.bytes (100 MB), plus room for the headers.
        #expect(KafkaDeadLetterSink.producerLimits(following: KafkaConfiguration([:]), producer: KafkaConfiguration([:]))
            == ["message.max.bytes": String(100_000_000 + 65_536)])
        #expect(KafkaDeadLetterSink.producerLimits(
            following: KafkaConfiguration(["receive.message.max.bytes": "5000000"]), producer: KafkaConfiguration([:]))
            == ["message.max.bytes": String(5_000_000 + 65_536)])
        // Never lowered below what is configured.
        #expect(KafkaDeadLetterSink.producerLimits(
            following: KafkaConfiguration(["receive.message.max.bytes": "5000000"]),
            producer: KafkaConfiguration(["message.max.bytes": "900000000"])).isEmpty)
    }
}
