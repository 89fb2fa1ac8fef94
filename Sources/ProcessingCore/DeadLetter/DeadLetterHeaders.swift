import Foundation
import Kafka

/// The headers that describe a dead letter, and how they are merged with the original record's headers.
///
/// The original headers are kept in order; any `dlq.*` headers they carry (from an earlier trip through
/// the dead-letter topic that was replayed and failed again) are replaced, never stacked.
public enum DeadLetterHeaders {
    public static let prefix = "dlq."
    public static let originalTopic = "dlq.original.topic"
    public static let originalPartition = "dlq.original.partition"
    public static let originalOffset = "dlq.original.offset"
    public static let originalTimestamp = "dlq.original.timestamp"
    public static let consumerGroup = "dlq.consumer.group"
    public static let errorClass = "dlq.error.class"
    public static let errorMessage = "dlq.error.message"
    public static let attempts = "dlq.attempts"
    public static let firstFailure = "dlq.first.failure"
    public static let lastFailure = "dlq.last.failure"
    public static let serviceVersion = "dlq.service.version"
    /// Present (`true`) when the letter could not be written whole and its value was cut (see
    /// `KafkaDeadLetterSink`); the original value is then only in the source topic, at the original offset.
    public static let valueTruncated = "dlq.value.truncated"
    /// The original value's size in bytes, on truncated letters.
    public static let originalValueSize = "dlq.original.value.size"
    /// How many original headers were left out, on letters written without them.
    public static let originalHeadersDropped = "dlq.original.headers.dropped"

    /// Longest `dlq.error.message` value in bytes; longer messages are cut at a character boundary
    /// and end in "…", so one pathological error cannot blow up the record.
    public static let maximumMessageBytes = 1024

    /// The full header list for `letter`: the original's non-`dlq.` headers, then the `dlq.*` ones.
    public static func headers(for letter: DeadLetter, consumerGroup group: String, serviceVersion version: String) -> [KafkaHeader] {
        var headers = letter.record.headers.filter { !$0.name.hasPrefix(prefix) }
        func add(_ name: String, _ value: String) { headers.append(KafkaHeader(name: name, value: Array(value.utf8))) }
        add(originalTopic, letter.record.topicPartition.topic)
        add(originalPartition, String(letter.record.topicPartition.partition))
        add(originalOffset, String(letter.record.offset))
        if let timestamp = letter.record.timestampMilliseconds { add(originalTimestamp, String(timestamp)) }
        add(consumerGroup, group)
        add(errorClass, letter.failure.name)
        add(errorMessage, truncated(letter.message))
        add(attempts, String(letter.attempts))
        add(firstFailure, formatted(letter.firstFailure))
        add(lastFailure, formatted(letter.lastFailure))
        add(serviceVersion, version)
        return headers
    }

    /// The value of the first header called `name`, decoded as UTF-8.
    public static func value(_ name: String, in headers: [KafkaHeader]) -> String? {
        headers.first { $0.name == name }?.value.map { String(decoding: $0, as: UTF8.self) }
    }

    static func truncated(_ message: String) -> String {
        guard message.utf8.count > maximumMessageBytes else { return message }
        var result = ""
        var bytes = 0
        for character in message {
            let size = character.utf8.count
            if bytes + size > maximumMessageBytes - 3 { break }
            result.append(character)
            bytes += size
        }
        return result + "…"
    }

    /// RFC 3339 UTC with milliseconds, e.g. `2024-01-15T10:30:45.123Z`.
    static func formatted(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
