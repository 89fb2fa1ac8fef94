import Kafka
import Logging
import ServiceLifecycle

/// Runs the consumer and its pipeline as a `Service`, and shuts them down in the order that loses
/// nothing: stop taking events → let in-flight events finish (up to `shutdownTimeout`) → close the
/// consumer, which stores the finished positions of every partition, commits them and leaves the group.
public struct KafkaConsumerService: Service {
    private let consumer: KafkaConsumer
    private let pipeline: EventPipeline
    private let shutdownTimeout: Duration
    private let logger: Logger

    public init(consumer: KafkaConsumer, pipeline: EventPipeline, shutdownTimeout: Duration, logger: Logger) {
        self.consumer = consumer
        self.pipeline = pipeline
        self.shutdownTimeout = shutdownTimeout
        self.logger = logger
    }

    public func run() async throws {
        do {
            try await withGracefulShutdownHandler {
                try await consumer.run()
            } onGracefulShutdown: {
                // This handler must not block; the sequence runs in its own task and ends with
                // `close()`, after which `consumer.run()` returns.
                Task { await shutDown() }
            }
        } catch let error as KafkaError where error.kind == .fatal {
            throw ProcessingServiceError.fatalKafkaError(error.message)
        }
        logger.info(
            "Consumer closed",
            metadata: [
                "processed": "\(pipeline.statistics.processed)",
                "dead_lettered": "\(pipeline.statistics.deadLettered)",
                "invalid": "\(pipeline.statistics.invalid)",
            ]
        )
    }

    private func shutDown() async {
        logger.info("Shutting down: taking no new events, waiting for in-flight events", metadata: ["timeout": "\(shutdownTimeout)"])
        consumer.stopDelivery()
        pipeline.stopTakingEvents()
        if await !pipeline.waitForInFlightEvents(timeout: shutdownTimeout) {
            logger.warning("In-flight events did not finish within SHUTDOWN_TIMEOUT; abandoning them (they will be redelivered)")
            pipeline.abandonInFlightEvents()
        }
        consumer.close()
    }
}
