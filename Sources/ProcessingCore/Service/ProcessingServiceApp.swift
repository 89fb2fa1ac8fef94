import Foundation
import Kafka
import Logging
import ServiceLifecycle
import Synchronization

/// The processing service, assembled from its configuration: connects to Kafka (with the start-up
/// retries), builds the consumer, pipeline and dead-letter sink, and runs them in a `ServiceGroup`
/// that shuts down gracefully on SIGTERM/SIGINT (see `ShutdownSignals`). A second signal exits at once.
public struct ProcessingServiceApp: Sendable {
    public let configuration: ServiceConfiguration
    public let processor: any EventProcessor
    /// Where processed events are stored (`SINK`); nil stores nothing (`SINK=log`).
    public let sink: (any EventSink)?
    /// Services run beside the consumer (the HTTP server and its monitors), see `ServiceCompanion`.
    public let companion: (any ServiceCompanion)?
    private let logger: Logger

    /// - Parameters:
    ///   - processor: the business logic; by default `LoggingEventProcessor` (its line per event at `info`
    ///     without a sink, at `debug` with one).
    ///   - sink: the store for `SINK=postgres|sqlite|files` (the executable builds it with `EventSinkFactory`).
    ///   - companion: services beside the consumer (the executable passes the HTTP server and monitors).
    public init(
        configuration: ServiceConfiguration, logger: Logger, processor: (any EventProcessor)? = nil, sink: (any EventSink)? = nil,
        companion: (any ServiceCompanion)? = nil
    ) {
        self.configuration = configuration
        self.logger = logger
        self.processor = processor ?? LoggingEventProcessor(level: sink == nil ? .info : .debug)
        self.sink = sink
        self.companion = companion
    }

    /// Runs until shut down by a signal (returns normally) or a fatal error (throws
    /// `ProcessingServiceError`, whose `exitCode` the caller should exit with).
    /// - Parameter signals: SIGTERM/SIGINT, trapped as early as possible (the executable traps them on
    ///   its first line); trapped here when nil. A signal during the start-up (connection retries
    ///   included) stops it: `run()` logs it and returns.
    public func run(signals: ShutdownSignals? = nil) async throws {
        let ownSignals = signals == nil
        let signals = if let signals { signals } else { await ShutdownSignals.trap() }
        defer { if ownSignals { signals.stopListening() } }
        signals.setLogger(logger)
        let startup = Task { try await start() }
        signals.onSignal { [logger] signal in
            logger.notice("\(signal) received during start-up: stopping")
            startup.cancel()
        }
        let started: Started
        do {
            started = try await withTaskCancellationHandler { try await startup.value } onCancel: { startup.cancel() }
        } catch is CancellationError {
            await abandonStartup(nil)
            logger.info("Processing service stopped before it was connected")
            return
        } catch {
            await abandonStartup(nil)
            throw error
        }
        if signals.received != nil || Task.isCancelled {
            // The signal came as the start-up finished: nothing ran yet, nothing to shut down.
            await abandonStartup(started)
            logger.info("Processing service stopped before it was connected")
            return
        }

        let deadline = ShutdownDeadline()
        var services: [any Service] = [
            KafkaConsumerService(
                consumer: started.consumer, pipeline: started.pipeline, shutdownTimeout: configuration.shutdownTimeout,
                deadline: deadline, logger: logger)
        ]
        if !configuration.enableAutoCommit {
            services.append(CommitTimerService(consumer: started.consumer, interval: commitInterval))
        }
        // Before the consumer: services stop in reverse order, and the consumer's drain needs the sink running.
        if let sink = started.sink {
            services.insert(SinkService(stage: sink.stage, sinkName: sink.name, logger: logger), at: 0)
        }
        if let companion {
            let store = started.sink.map { sink in
                (name: sink.name, isReachable: { @Sendable [stage = sink.stage] in stage.isStoreReachable })
            }
            do {
                services = try companion.arrange(
                    services, parts: ServiceParts(consumer: started.consumer, pipeline: started.pipeline, store: store))
            } catch {
                await abandonStartup(started)
                throw error
            }
        }
        // The signals are handled here, not by the group: they are trapped since the first line.
        let group = ServiceGroup(
            configuration: .init(services: services.map { .named($0) }, gracefulShutdownSignals: [], logger: logger))
        signals.onSignal { [logger] signal in
            logger.info("\(signal) received: shutting down")
            Task { await group.triggerGracefulShutdown() }
        }
        do {
            try await group.run()
        } catch {
            await closeDeadLetters(started.deadLetters, deadline)
            throw error
        }
        await closeDeadLetters(started.deadLetters, deadline)
        logger.info("Processing service stopped")
    }

    /// What the start-up built, connected to Kafka.
    private struct Started: Sendable {
        let consumer: KafkaConsumer
        let pipeline: EventPipeline
        let deadLetters: KafkaDeadLetterSink?
        /// The sink stage and the sink's name, when a store is configured; the stage's `isStoreReachable`
        /// is the sink's readiness.
        let sink: (stage: SinkStage, name: String)?
    }

    /// The start-up ended before the service group ran: closes what it opened (the dead-letter producer,
    /// when `started` got that far) and stops the companion's early HTTP server.
    private func abandonStartup(_ started: Started?) async {
        await started?.deadLetters?.close(flushTimeout: .seconds(1))
        await companion?.abandon()
    }

    /// Builds the dead-letter sink, the pipeline and the consumer, and waits for the brokers and the topic.
    private func start() async throws -> Started {
        // Before anything connects: what can fail at once (e.g. a taken HTTP port) fails first, and the
        // HTTP server answers probes during the connection retries below.
        try await companion?.prepare()
        let consumerConfiguration = configuration.kafkaConfiguration
        let deadLetters = try makeDeadLetterSink()
        // One set of counters for the pipeline and the sink stage: both write dead letters.
        let statistics = ProcessingStatistics()
        let sink = makeSinkStage(deadLetters: deadLetters, statistics: statistics)
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
            logger: logger,
            processedEvents: sink?.stage,
            statistics: statistics
        )
        let consumer = try KafkaConsumer(
            configuration: consumerConfiguration,
            options: .init(topics: [configuration.topic], readFromBeginning: configuration.readFromBeginning),
            delegate: pipeline,
            logger: logger
        )
        do {
            try await waitForTopic(consumer)
        } catch {
            await deadLetters?.close(flushTimeout: .seconds(1))
            throw error
        }
        return Started(
            consumer: consumer, pipeline: pipeline, deadLetters: deadLetters,
            sink: sink)
    }

    /// Closes the dead-letter producer within what is left of the shutdown deadline (its letters in
    /// flight belong to abandoned events, whose offsets are not stored: they are redone after a restart).
    private func closeDeadLetters(_ deadLetters: KafkaDeadLetterSink?, _ deadline: ShutdownDeadline) async {
        guard let deadLetters else { return }
        let left = deadline.remaining(or: .seconds(10))
        await deadLetters.close(flushTimeout: max(.zero, left - KafkaDeadLetterSink.closeReportMargin))
    }

    /// The sink stage for `sink` and the sink's name, if there is one: batches as configured, rejected events to `deadLetters`,
    /// metrics labelled with the sink's name. Its `isStoreReachable` is what readiness reports for the sink.
    private func makeSinkStage(
        deadLetters: (any DeadLetterSink)?, statistics: ProcessingStatistics
    ) -> (stage: SinkStage, name: String)? {
        guard let sink else { return nil }
        let stage = SinkStage(
            sink: sink, deadLetters: deadLetters, settings: configuration.sink.batchSettings,
            pipelineStatistics: statistics, observer: SinkMetrics(sink: sink.name), logger: logger)
        return (stage, sink.name)
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
            consumerConfiguration: configuration.kafkaConfiguration,
            consumerGroup: configuration.groupID,
            serviceVersion: ServiceVersion.current,
            logger: logger
        )
    }

    /// The connection properties of the consumer's configuration that a producer shares (brokers,
    /// security, client id); consumer-only properties are left out so librdkafka does not warn.
    package static func producerConfiguration(from consumer: KafkaConfiguration) -> KafkaConfiguration {
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

    /// Start-up: the brokers must answer and the topic must exist. `MAX_RETRIES` attempts, each waiting up
    /// to `CONNECT_TIMEOUT`, `RETRY_DELAY` apart, logging every failure, then fails with a clear reason.
    private func waitForTopic(_ consumer: KafkaConsumer) async throws {
        let policy = configuration.connectRetry
        var attempt = 1
        while true {
            do {
                // A signal must not wait for the metadata request (up to CONNECT_TIMEOUT): stop waiting for it.
                let query = Task { [configuration] in
                    try await consumer.partitionCount(of: configuration.topic, timeout: policy.attemptTimeout)
                }
                let partitions = try await Self.valueUnlessCancelled(query)
                logger.info(
                    "Connected to Kafka",
                    metadata: ["brokers": "\(configuration.brokers)", "topic": "\(configuration.topic)", "partitions": "\(partitions)"]
                )
                return
            } catch let error as KafkaError {
                try Task.checkCancellation()
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

    /// The task's value, or `CancellationError` as soon as the calling task is cancelled (the task
    /// itself runs on; here it is a metadata request that keeps its consumer alive until it returns).
    private static func valueUnlessCancelled(_ task: Task<Int, any Error>) async throws -> Int {
        let answer = AnswerOnce()
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<Int, any Error>, Never>) in
                answer.set(continuation)
                if Task.isCancelled {
                    answer.resume(.failure(CancellationError()))
                    return
                }
                Task {
                    let value = await task.result
                    answer.resume(value)
                }
            }
        } onCancel: {
            answer.resume(.failure(CancellationError()))
        }
        return try result.get()
    }
}

/// A continuation resumed by the first of several racing answers.
private final class AnswerOnce: Sendable {
    private let continuation = Mutex<CheckedContinuation<Result<Int, any Error>, Never>?>(nil)

    func set(_ continuation: CheckedContinuation<Result<Int, any Error>, Never>) {
        self.continuation.withLock { $0 = continuation }
    }

    func resume(_ result: Result<Int, any Error>) {
        continuation.withLock { $0.take() }?.resume(returning: result)
    }
}
