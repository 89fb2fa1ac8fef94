import Kafka
import Logging

/// Publishes the records a consumer test reads, with the package's `KafkaProducer`, and waits until the
/// broker acknowledged every one of them (so a test never races its own producer).
enum ConsumerTestProducer {
    struct DeliveryFailed: Error, CustomStringConvertible {
        var failed: Int
        var description: String { "\(failed) test record(s) were not delivered" }
    }

    /// `properties` adds to or overrides the producer's librdkafka properties (e.g. smaller batches).
    static func produce(
        _ records: [ProducerRecord], bootstrapServers: String, properties: [String: String] = [:]
    ) async throws {
        var logger = Logger(label: "consumer-test-producer")
        logger.logLevel = .warning
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(
                ["bootstrap.servers": bootstrapServers, "linger.ms": "5", "acks": "all"]
                    .merging(properties) { $1 }),
            logger: logger)
        for record in records {
            try producer.produce(record)
        }
        try await producer.flush(timeout: .seconds(60))
        let failed = producer.failedDeliveryCount
        await producer.close()
        if failed > 0 { throw DeliveryFailed(failed: failed) }
    }
}
