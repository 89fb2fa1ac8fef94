import Kafka
import Logging

/// Writes dead letters to a Kafka topic (`DLQ_TOPIC`) with an idempotent, `acks=all` producer, and
/// returns only once the broker confirmed the write.
///
/// The record keeps the original key and value bytes, so a replay publishes exactly what was consumed;
/// what went wrong travels in `dlq.*` headers (see `DeadLetterHeaders`).
///
/// Size: the producer accepts whatever the consumer can fetch (its `message.max.bytes` follows the
/// consumer's `receive.message.max.bytes`, see `producerLimits(following:)`). When the brokers still
/// refuse a letter for its size — a permanent error, retrying the same bytes would fail forever and
/// stop the partition — the letter is written again cut down (`DeadLetterTruncation`): first with its
/// value truncated, then without value and original headers, with headers saying so and giving the
/// original size. Each step is logged at error. Other errors are thrown: the partition waits and retries.
public final class KafkaDeadLetterSink: DeadLetterSink {
    public let topic: String
    private let producer: KafkaProducer
    private let consumerGroup: String
    private let serviceVersion: String
    private let logger: Logger

    /// - Parameter configuration: connection properties (brokers, security); delivery properties are
    ///   forced to what a dead-letter topic needs.
    /// - Parameter consumerConfiguration: the consumer's properties, whose size limits the producer's follow.
    public init(
        topic: String, configuration: KafkaConfiguration, consumerConfiguration: KafkaConfiguration? = nil,
        consumerGroup: String, serviceVersion: String, logger: Logger
    ) throws(KafkaError) {
        var configuration = configuration
        // Confirmed and never duplicated by producer retries: the source offset is stored only after this.
        configuration["enable.idempotence"] = "true"
        configuration["acks"] = "all"
        // Each send is awaited by a paused partition: don't make it wait for a batch to fill.
        if configuration["linger.ms"] == nil { configuration["linger.ms"] = "0" }
        if let consumerConfiguration {
            for (name, value) in Self.producerLimits(following: consumerConfiguration, producer: configuration) {
                configuration[name] = value
            }
        }
        self.topic = topic
        self.producer = try KafkaProducer(configuration: configuration, logger: logger)
        self.consumerGroup = consumerGroup
        self.serviceVersion = serviceVersion
        self.logger = logger
    }

    /// The producer's `message.max.bytes` such that any record the consumer can fetch (at most its
    /// `receive.message.max.bytes`, librdkafka's default 100 MB, and never less than `fetch.max.bytes`
    /// + 512), plus the dead-letter headers, can be written; never lowered below what is configured.
    static func producerLimits(following consumer: KafkaConfiguration, producer: KafkaConfiguration) -> [String: String] {
        let fetchMax = consumer["fetch.max.bytes"].flatMap(Int.init) ?? 52_428_800
        let receiveMax = consumer["receive.message.max.bytes"].flatMap(Int.init) ?? max(100_000_000, fetchMax + 512)
        // Room for the dlq.* headers (the error message alone may take 1 KiB) and the record framing.
        let needed = min(1_000_000_000, receiveMax + 64 * 1024)
        let configured = producer["message.max.bytes"].flatMap(Int.init) ?? 1_000_000
        return configured >= needed ? [:] : ["message.max.bytes": String(needed)]
    }

    public func send(_ letter: DeadLetter) async throws {
        let headers = DeadLetterHeaders.headers(for: letter, consumerGroup: consumerGroup, serviceVersion: serviceVersion)
        var step = DeadLetterTruncation.Step.whole
        while let error = await attempt(letter, headers: headers, step: step) {
            guard DeadLetterTruncation.isSizeRejection(error), let next = step.next else { throw error }
            step = next
            logger.error(
                "Dead letter too large for the dead-letter topic: writing it cut down",
                metadata: [
                    "topic": "\(letter.record.topicPartition.topic)", "partition": "\(letter.record.topicPartition.partition)",
                    "offset": "\(letter.record.offset)", "original_value_bytes": "\(letter.record.valueCount ?? 0)",
                    "error": "\(error)", "written_as": "\(step)",
                ])
        }
    }

    /// Writes the letter cut down as `step` says. - Returns: the error, or nil once it is written.
    private func attempt(_ letter: DeadLetter, headers: [KafkaHeader], step: DeadLetterTruncation.Step) async -> KafkaError? {
        let record = DeadLetterTruncation.record(letter, headers: headers, topic: topic, step: step)
        do {
            _ = try await producer.send(record)
            return nil
        } catch {
            return error
        }
    }

    /// What a close takes beyond its flush timeout at most: the reports of purged letters.
    public static let closeReportMargin: Duration = .milliseconds(500)

    /// Flushes outstanding writes (at most `flushTimeout`), fails what is left, and releases the
    /// producer; returns within `flushTimeout` + `closeReportMargin`.
    public func close(flushTimeout: Duration = .seconds(10)) async {
        await producer.close(flushTimeout: flushTimeout)
    }
}
