import Foundation
import Kafka
import Logging
import ServiceLifecycle
import UnixSignals

/// The processing service, assembled from its configuration: connects to Kafka (with the start-up
/// retries), builds the consumer, pipeline and dead-letter sink, and runs them in a `ServiceGroup`
/// that shuts down gracefully on SIGTERM/SIGINT. A second signal exits at once.
public struct ProcessingServiceApp: Sendable {
    public let configuration: ServiceConfiguration
    public let processor: any EventProcessor
    /// Services run beside the consumer (the HTTP server and its monitors), see `ServiceCompanion`.
    public let companion: (any ServiceCompanion)?
    private let logger: Logger

    public init(
        configuration: ServiceConfiguration, logger: Logger, processor: any EventProcessor = LoggingEventProcessor(),
        companion: (any ServiceCompanion)? = nil
    ) {
        self.configuration = configuration
        self.logger = logger
        self.processor = processor
        self.companion = companion
    }

    /// Runs until shut down by a signal (returns normally) or a fatal error (throws
    /// `ProcessingServiceError`, whose `exitCode` the caller should exit with).
    public func run() async throws {
        try await companion?.prepare()
        let consumerConfiguration = configuration.kafkaConfiguration
        let deadLetters = try makeDeadLetterSink()
        let pipeline = EventPipeline(
            processor: processor,
            deadLetters: deadLetters,
            settings: PipelineSettings(
                retryPolicy: configuration.processingRetry,
                deadLetterBackoff: BackoffPolicy(
                    maxAttempts: .max, baseDelay: .milliseconds(500), multiplier: 2, maximumDelay: .seconds(30), jitter: 0.2
                ),
                consumerGroup: configuration.groupID
            ),
            logger: logger
        )
        let consumer = try KafkaConsumer(
            configuration: consumerConfiguration,
            options: .init(topics: [configuration.topic], readFromBeginning: configuration.readFromBeginning),
            delegate: pipeline,
            logger: logger
        )
        try await waitForTopic(consumer)

        var services: [any Service] = [
            KafkaConsumerService(consumer: consumer, pipeline: pipeline, shutdownTimeout: configuration.shutdownTimeout, logger: logger)
        ]
        if !configuration.enableAutoCommit {
            services.append(CommitTimerService(consumer: consumer, interval: commitInterval))
        }
        services = try companion?.arrange(services, parts: ServiceParts(consumer: consumer, pipeline: pipeline)) ?? services
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        let secondSignal = Task { await Self.exitOnSecondSignal(logger: logger) }
        defer { secondSignal.cancel() }
        do {
            try await group.run()
        } catch {
            await deadLetters?.close()
            throw error
        }
        await deadLetters?.close()
        logger.info("Processing service stopped")
    }

    /// `auto.commit.interval.ms` when set, else librdkafka's default of 5 s.
    private var commitInterval: Duration {
        configuration.kafkaConfiguration["auto.commit.interval.ms"].flatMap(Int.init).map { .milliseconds($0) } ?? .seconds(5)
    }

    private func makeDeadLetterSink() throws -> KafkaDeadLetterSink? {
        guard configuration.deadLetterEnabled else {
            logger.notice("Dead-lettering is disabled (DLQ_ENABLED=false): a message that cannot be processed stops its partition")
            return nil
        }
        return try KafkaDeadLetterSink(
            topic: configuration.deadLetterTopic,
            configuration: Self.producerConfiguration(from: configuration.kafkaConfiguration),
            consumerGroup: configuration.groupID,
            serviceVersion: ServiceVersion.current,
            logger: logger
        )
    }

    /// The connection properties of the consumer's configuration that a producer shares (brokers,
    /// security, client id); consumer-only properties are left out so librdkafka does not warn.
    static func producerConfiguration(from consumer: KafkaConfiguration) -> KafkaConfiguration {
        let consumerOnly: Set<String> = [
            "group.id", "group.instance.id", "enable.auto.commit", "auto.commit.interval.ms", "auto.offset.reset",
            "enable.auto.offset.store", "partition.assignment.strategy", "session.timeout.ms",
            "heartbeat.interval.ms", "max.poll.interval.ms", "fetch.min.bytes", "fetch.wait.max.ms",
            "fetch.max.bytes", "max.partition.fetch.bytes", "queued.min.messages", "queued.max.messages.kbytes",
            "isolation.level", "enable.partition.eof", "check.crcs", "group.protocol.type", "coordinator.query.interval.ms",
            "fetch.message.max.bytes", "fetch.error.backoff.ms", "consume.callback.max.messages", "auto.commit.enable",
        ]
        return KafkaConfiguration(consumer.properties.filter { !consumerOnly.contains($0.key) })
    }

    /// Start-up: the brokers must answer and the topic must exist. Retries `MAX_RETRIES` times,
    /// `RETRY_DELAY` apart, logging every attempt, then fails with a clear reason.
    private func waitForTopic(_ consumer: KafkaConsumer) async throws {
        let policy = configuration.connectRetry
        var attempt = 1
        while true {
            do {
                let partitions = try await consumer.partitionCount(of: configuration.topic, timeout: .seconds(10))
                logger.info(
                    "Connected to Kafka",
                    metadata: ["brokers": "\(configuration.brokers)", "topic": "\(configuration.topic)", "partitions": "\(partitions)"]
                )
                return
            } catch {
                let reason = error.kind == .unknownTopic
                    ? "topic \(configuration.topic) does not exist"
                    : "cannot reach Kafka at \(configuration.brokers): \(error.message)"
                guard policy.shouldRetry(afterAttempt: attempt) else {
                    throw ProcessingServiceError.kafkaUnavailable("\(reason) (gave up after \(attempt) attempts)")
                }
                logger.warning(
                    "Kafka not ready, retrying",
                    metadata: ["reason": "\(reason)", "attempt": "\(attempt)", "max_attempts": "\(policy.maxAttempts)", "retry_in": "\(policy.delay)"]
                )
                try await Task.sleep(for: policy.delay)
                attempt += 1
            }
        }
    }

    /// The first SIGTERM/SIGINT starts the graceful shutdown (handled by the service group); a second
    /// one means "stop now": exit immediately, committing nothing more (at-least-once still holds —
    /// uncommitted work is redelivered).
    private static func exitOnSecondSignal(logger: Logger) async {
        var seen = 0
        for await signal in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
            seen += 1
            if seen >= 2 {
                logger.warning("Second \(signal) received: exiting immediately")
                exit(130)
            }
        }
    }
}
