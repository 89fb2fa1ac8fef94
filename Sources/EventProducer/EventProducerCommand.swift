import ArgumentParser
import Foundation
import Kafka
import Logging

/// `event-producer`: publishes synthetic `EnrichedEvent`s to Kafka, for the quick start, tests and the
/// benchmark.
@main
struct EventProducerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "event-producer",
        abstract: "Publish synthetic EnrichedEvents (JSON, keyed by user_id) to a Kafka topic.",
        discussion: """
            The events are deterministic for a seed: the same --seed and --count publish the same records. \
            They are compressed and sent in large batches (long linger, big batches), which is also what \
            keeps a mock-kafka cluster's fetches fast afterwards. Exits 0 when every event was delivered, \
            1 when some were not.

            The mock cluster keeps at most about 5 MiB per partition (~25k events of this size): spread \
            larger runs over more partitions.

            EXAMPLES:
              event-producer --brokers 127.0.0.1:9092 --topic user-activity-events --count 10000
              # One invalid record every 100 (dead-letter demo), 2,000 events per second:
              event-producer --count 20000 --invalid-every 100 --rate 2000
            """
    )

    @Option(help: "Bootstrap servers, host:port[,host:port...]. Default: $KAFKA_BROKERS, else localhost:9092.")
    var brokers: String = ProcessInfo.processInfo.environment["KAFKA_BROKERS"] ?? "localhost:9092"

    @Option(help: "Topic to publish to. Default: $KAFKA_TOPIC, else user-activity-events.")
    var topic: String = ProcessInfo.processInfo.environment["KAFKA_TOPIC"] ?? "user-activity-events"

    @Option(help: "Number of events to publish.")
    var count: Int

    @Option(help: "Target events per second (default: as fast as possible).")
    var rate: Double?

    @Option(help: "Seed of the synthetic event generator.")
    var seed: UInt64 = 1

    @Option(help: "Make every K-th record invalid (not JSON, missing event_type, bad timestamp, tombstone, empty, ...).")
    var invalidEvery: Int?

    @Option(help: "How long librdkafka waits to fill a batch (linger.ms).")
    var batchLingerMs: Int = 100

    @Option(help: "Compression codec: \(CompressionCodec.allCases.map(\.rawValue).joined(separator: ", ")).")
    var compression: CompressionCodec = .snappy

    @Option(
        name: .customLong("kafka-property"),
        help: ArgumentHelp("Any librdkafka producer property, e.g. security.protocol=SASL_SSL. Repeatable.", valueName: "name=value")
    )
    var kafkaProperties: [String] = []

    @Option(help: "Seconds to wait for the last deliveries before giving up.")
    var flushTimeout: Double = 120

    @Flag(help: "Log librdkafka's informational messages too.")
    var verbose = false

    func validate() throws {
        guard count >= 0 else { throw ValidationError("--count must be 0 or more, got \(count)") }
        if let rate { guard rate > 0 else { throw ValidationError("--rate must be positive, got \(rate)") } }
        if let invalidEvery { guard invalidEvery >= 1 else { throw ValidationError("--invalid-every must be at least 1, got \(invalidEvery)") } }
        guard batchLingerMs >= 0 else { throw ValidationError("--batch-linger-ms must be 0 or more") }
        guard flushTimeout > 0 else { throw ValidationError("--flush-timeout must be positive") }
        _ = try parsedKafkaProperties()
    }

    func run() async throws {
        var logger = Logger(label: "event-producer")
        logger.logLevel = verbose ? .info : .warning
        let producer: KafkaProducer
        do {
            producer = try KafkaProducer(configuration: try producerConfiguration(), logger: logger)
        } catch {
            throw ValidationError("\(error)")
        }

        let start = ContinuousClock.now
        let published = try await publishOnDedicatedThread(producer)
        var flushError: KafkaError?
        do {
            try await producer.flush(timeout: .seconds(flushTimeout))
        } catch {
            flushError = error
        }
        let elapsed = ContinuousClock.now - start
        await producer.close(flushTimeout: .seconds(1))

        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let failed = count - producer.deliveredCount
        print(String(
            format: "Published %d events (%d invalid, %d not delivered) to %@ in %.3f s (%.0f events/s)",
            count, published.invalid, failed, topic, seconds, seconds > 0 ? Double(count) / seconds : 0
        ))
        if let flushError { logger.error("Not every event was delivered", metadata: ["error": "\(flushError)"]) }
        if failed > 0 { throw ExitCode.failure }
    }

    /// The producer properties: throughput-oriented defaults, overridden by `--kafka-property`.
    private func producerConfiguration() throws -> KafkaConfiguration {
        var properties = [
            "bootstrap.servers": brokers,
            "compression.codec": compression.rawValue,
            "linger.ms": String(batchLingerMs),
            // Few, large message sets: cheaper to send, and the mock cluster's fetch cost grows with the
            // number of message sets per partition.
            "batch.num.messages": "10000",
            "batch.size": "1000000",
            // Room for the whole burst between deliveries; produce() waits when even this is full.
            "queue.buffering.max.messages": "500000",
            "queue.buffering.max.kbytes": "524288",
            "message.timeout.ms": "60000",
        ]
        properties.merge(try parsedKafkaProperties()) { _, override in override }
        return KafkaConfiguration(properties)
    }

    private func parsedKafkaProperties() throws -> [String: String] {
        var properties: [String: String] = [:]
        for property in kafkaProperties {
            guard let equals = property.firstIndex(of: "="), equals != property.startIndex else {
                throw ValidationError("--kafka-property expects name=value, got '\(property)'")
            }
            properties[String(property[..<equals])] = String(property[property.index(after: equals)...])
        }
        return properties
    }

    /// Runs the publishing loop on its own thread: `produce` blocks while librdkafka's queue is full, which
    /// must not happen on Swift's cooperative thread pool.
    private func publishOnDedicatedThread(_ producer: KafkaProducer) async throws -> (published: Int, invalid: Int) {
        let count = count, topic = topic, seed = seed, invalidEvery = invalidEvery, rate = rate
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<(Int, Int), KafkaError>, Never>) in
            let started = DedicatedThread.start(name: "event-publish") {
                var source = EventSource(seed: seed, invalidEvery: invalidEvery)
                let pacer = rate.map(RatePacer.init(eventsPerSecond:))
                var invalid = 0
                for index in 0..<count {
                    let record = source.next()
                    if record.isInvalid { invalid += 1 }
                    do throws(KafkaError) {
                        try producer.produce(ProducerRecord(topic: topic, key: record.key, value: record.value))
                    } catch {
                        continuation.resume(returning: .failure(error))
                        return
                    }
                    pacer?.pace(afterPublishing: index + 1)
                }
                continuation.resume(returning: .success((count, invalid)))
            }
            if !started {
                continuation.resume(returning: .failure(KafkaError(kind: .other, message: "could not start the publishing thread")))
            }
        }
        let (published, invalid) = try result.get()
        return (published, invalid)
    }
}
