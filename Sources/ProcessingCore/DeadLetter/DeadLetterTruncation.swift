import Kafka

/// How a dead letter that the brokers refuse for its size is cut down, so that a permanent error ends
/// in a defined, visible letter instead of a partition retrying the same bytes forever.
///
/// The original bytes are not lost: the letter's `dlq.original.*` headers say where they are in the
/// source topic (until its retention removes them).
enum DeadLetterTruncation {
    /// Bytes of the original value kept by the first cut.
    static let keptValueBytes = 64 * 1024
    /// Bytes of the key kept by the last cut.
    static let keptKeyBytes = 1024

    enum Step: CustomStringConvertible {
        /// The letter as it is.
        case whole
        /// The value cut to `keptValueBytes`.
        case valueTruncated
        /// No value, the key cut to `keptKeyBytes`, no original headers: only the `dlq.*` headers.
        case valueAndHeadersDropped

        var next: Step? {
            switch self {
            case .whole: .valueTruncated
            case .valueTruncated: .valueAndHeadersDropped
            case .valueAndHeadersDropped: nil
            }
        }

        var description: String {
            switch self {
            case .whole: "whole"
            case .valueTruncated: "value truncated to \(keptValueBytes) bytes"
            case .valueAndHeadersDropped: "without value and original headers"
            }
        }
    }

    /// Errors that mean "this record is too large" (permanent for these bytes): librdkafka's local
    /// check against `message.max.bytes` and the broker's answer for the topic's `max.message.bytes`
    /// both report MSG_SIZE_TOO_LARGE (10); RECORD_LIST_TOO_LARGE (18) is the batch-level form.
    static func isSizeRejection(_ error: KafkaError) -> Bool {
        error.code == 10 || error.code == 18
    }

    /// The letter cut down as `step` says, with headers telling what was cut.
    static func record(_ letter: DeadLetter, headers: [KafkaHeader], topic: String, step: Step) -> ProducerRecord {
        let value = letter.record.value
        var headers = headers
        func add(_ name: String, _ text: String) { headers.append(KafkaHeader(name: name, value: Array(text.utf8))) }
        switch step {
        case .whole:
            return ProducerRecord(topic: topic, partition: nil, key: letter.record.key, value: value, headers: headers)
        case .valueTruncated:
            add(DeadLetterHeaders.valueTruncated, "true")
            add(DeadLetterHeaders.originalValueSize, String(value?.count ?? 0))
            return ProducerRecord(
                topic: topic, partition: nil, key: letter.record.key, value: value.map { Array($0.prefix(keptValueBytes)) }, headers: headers)
        case .valueAndHeadersDropped:
            let original = headers.filter { !$0.name.hasPrefix(DeadLetterHeaders.prefix) }
            headers.removeAll { !$0.name.hasPrefix(DeadLetterHeaders.prefix) }
            add(DeadLetterHeaders.valueTruncated, "true")
            add(DeadLetterHeaders.originalValueSize, String(value?.count ?? 0))
            add(DeadLetterHeaders.originalHeadersDropped, String(original.count))
            return ProducerRecord(
                topic: topic, partition: nil, key: letter.record.key.map { Array($0.prefix(keptKeyBytes)) }, value: [], headers: headers)
        }
    }
}
