import Foundation
import Kafka

/// A message the service gave up on, with why and how hard it tried.
///
/// It keeps the original record unchanged (key, value and headers), so that an operator can inspect it,
/// fix the cause and replay it to the source topic (`processing-service dlq replay`).
public struct DeadLetter: Sendable {
    public var record: KafkaRecord
    public var failure: FailureClass
    /// A human-readable reason; truncated to `maximumMessageBytes` in the header.
    public var message: String
    /// Processing attempts made (0 when the message could not be decoded).
    public var attempts: Int
    public var firstFailure: Date
    public var lastFailure: Date

    public init(record: KafkaRecord, failure: FailureClass, message: String, attempts: Int, firstFailure: Date, lastFailure: Date) {
        self.record = record
        self.failure = failure
        self.message = message
        self.attempts = attempts
        self.firstFailure = firstFailure
        self.lastFailure = lastFailure
    }
}

/// Where dead letters go. The default is `KafkaDeadLetterSink` (the `DLQ_TOPIC`).
///
/// `send` returns only once the letter is durably written (for Kafka: acknowledged by all in-sync
/// replicas); the source offset is stored only after that. Throwing makes the pipeline pause the
/// partition and try again later: nothing is skipped.
public protocol DeadLetterSink: Sendable {
    func send(_ letter: DeadLetter) async throws
}
