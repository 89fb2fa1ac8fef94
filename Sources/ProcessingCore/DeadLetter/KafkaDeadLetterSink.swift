import Kafka
import Logging

/// Writes dead letters to a Kafka topic (`DLQ_TOPIC`) with an idempotent, `acks=all` producer, and
/// returns only once the broker confirmed the write.
///
/// The record keeps the original key and value bytes, so a replay publishes exactly what was consumed;
/// what went wrong travels in `dlq.*` headers (see `DeadLetterHeaders`).
public final class KafkaDeadLetterSink: DeadLetterSink {
    public let topic: String
    private let producer: KafkaProducer
    private let consumerGroup: String
    private let serviceVersion: String

    /// - Parameter configuration: connection properties (brokers, security); delivery properties are
    ///   forced to what a dead-letter topic needs.
    public init(topic: String, configuration: KafkaConfiguration, consumerGroup: String, serviceVersion: String, logger: Logger) throws(KafkaError) {
        var configuration = configuration
        // Confirmed and never duplicated by producer retries: the source offset is stored only after this.
        configuration["enable.idempotence"] = "true"
        configuration["acks"] = "all"
        // Each send is awaited by a paused partition: don't make it wait for a batch to fill.
        if configuration["linger.ms"] == nil { configuration["linger.ms"] = "0" }
        self.topic = topic
        self.producer = try KafkaProducer(configuration: configuration, logger: logger)
        self.consumerGroup = consumerGroup
        self.serviceVersion = serviceVersion
    }

    public func send(_ letter: DeadLetter) async throws {
        let record = ProducerRecord(
            topic: topic,
            partition: nil,
            key: letter.record.key,
            value: letter.record.value,
            headers: DeadLetterHeaders.headers(for: letter, consumerGroup: consumerGroup, serviceVersion: serviceVersion)
        )
        _ = try await producer.send(record)
    }

    /// Flushes outstanding writes and releases the producer.
    public func close() async {
        await producer.close(flushTimeout: .seconds(10))
    }
}
