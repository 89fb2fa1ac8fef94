import Kafka
import Logging
import ServiceLifecycle
import Synchronization

/// Runs the consumer and its pipeline as a `Service`, and shuts them down in the order that loses
/// nothing: stop taking events → let in-flight events finish (up to `shutdownTimeout`) → close the
/// consumer, which stores the finished positions of every partition, commits them and leaves the group.
///
/// The whole shutdown is bounded by `deadline` (`SHUTDOWN_TIMEOUT` + `ShutdownDeadline.closeMargin`):
/// librdkafka's close waits for the final commit, and with the group coordinator unreachable that takes
/// `session.timeout.ms` (45 s by default). When the close has not finished by the deadline, the service
/// stops waiting for it, says at error level which positions may not be committed, and returns.
public struct KafkaConsumerService: Service {
    private let consumer: KafkaConsumer
    private let pipeline: EventPipeline
    private let shutdownTimeout: Duration
    private let deadline: ShutdownDeadline
    private let logger: Logger

    public init(
        consumer: KafkaConsumer, pipeline: EventPipeline, shutdownTimeout: Duration,
        deadline: ShutdownDeadline = ShutdownDeadline(), logger: Logger
    ) {
        self.consumer = consumer
        self.pipeline = pipeline
        self.shutdownTimeout = shutdownTimeout
        self.deadline = deadline
        self.logger = logger
    }

    /// How the consumer's run ended, or that the service stopped waiting for it.
    private enum RunEnd: Sendable {
        case finished(Result<Void, KafkaError>)
        case closeTimedOut
    }

    public func run() async throws {
        let race = FirstOf<RunEnd>()
        let end = await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    race.set(continuation)
                    Task {
                        do throws(KafkaError) {
                            try await consumer.run()
                            race.resume(.finished(.success(())))
                        } catch {
                            race.resume(.finished(.failure(error)))
                        }
                    }
                }
            } onCancel: {
                consumer.close()
            }
        } onGracefulShutdown: {
            // This handler must not block; the sequence runs in its own task and ends with the
            // consumer's close, after which `consumer.run()` returns, or with the deadline.
            Task { await shutDown(race) }
        }
        switch end {
        case .finished(.success):
            break
        case .finished(.failure(let error)) where error.kind == .fatal:
            throw ProcessingServiceError.fatalKafkaError(error.message)
        case .finished(.failure(let error)):
            throw error
        case .closeTimedOut:
            let stored = consumer.positionsStoredAtClose.map(\.description).sorted()
            logger.error(
                "Consumer close did not finish within SHUTDOWN_TIMEOUT + \(ShutdownDeadline.closeMargin): the final commit may not have happened, so the events from these positions on may be delivered again",
                metadata: ["uncommitted": "\(stored.joined(separator: ","))"])
        }
        let statistics = pipeline.statistics
        logger.info(
            "Consumer closed",
            metadata: [
                "processed": "\(statistics.processed)",
                "dead_lettered": "\(statistics.deadLettered)",
                "invalid": "\(statistics.invalid)",
            ]
        )
    }

    private func shutDown(_ race: FirstOf<RunEnd>) async {
        let deadline = deadline.start(shutdownTimeout: shutdownTimeout)
        logger.info("Shutting down: taking no new events, waiting for in-flight events", metadata: ["timeout": "\(shutdownTimeout)"])
        consumer.stopDelivery()
        pipeline.stopTakingEvents()
        if await !pipeline.waitForInFlightEvents(timeout: shutdownTimeout) {
            logger.warning("In-flight events did not finish within SHUTDOWN_TIMEOUT; abandoning them (they will be redelivered)")
            pipeline.abandonInFlightEvents()
        }
        consumer.close(within: max(.zero, deadline - .now))
        try? await Task.sleep(until: deadline, clock: .continuous)
        race.resume(.closeTimedOut)
    }
}

/// Resumes a continuation with the first of several racing answers and ignores the rest; an answer
/// that comes before the continuation is set is kept for it.
private final class FirstOf<Value: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Value, Never>?
        var early: Value?
        var answered = false
    }

    private let state = Mutex(State())

    func set(_ continuation: CheckedContinuation<Value, Never>) {
        let early = state.withLock { state -> Value? in
            if let early = state.early { return early }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(returning: early) }
    }

    func resume(_ value: Value) {
        let continuation = state.withLock { state -> CheckedContinuation<Value, Never>? in
            guard !state.answered else { return nil }
            state.answered = true
            guard let continuation = state.continuation else {
                state.early = value
                return nil
            }
            state.continuation = nil
            return continuation
        }
        continuation?.resume(returning: value)
    }
}
