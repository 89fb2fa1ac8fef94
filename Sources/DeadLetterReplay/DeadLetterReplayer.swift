import Foundation
import Kafka
import Logging
import ProcessingCore

/// `processing-service dlq replay`: re-publishes dead letters so that the service processes them again,
/// once an operator fixed what made them fail.
///
/// How a run goes:
/// 1. It reads the dead-letter topic (`DLQ_TOPIC`) in its own consumer group (the replay group, see
///    `DeadLetterReplayOptions`), from that group's committed position up to the high watermarks seen
///    at the start — so it terminates even while the service keeps dead-lettering.
/// 2. Each letter whose `dlq.error.class` passes the filter is published with its original key, value and
///    headers (see `DeadLetterReplayPlanner`) by an idempotent, `acks=all` producer.
/// 3. A letter's dead-letter offset is stored only after its publication was confirmed (letters skipped by
///    the filter count as done), and committed after every batch and at the end: a replay that stops
///    half-way continues where it stopped, and replays a letter at most once more than it should
///    (at-least-once, like the service).
///
/// Letters bound for the same target partition are published one after the other, in dead-letter order;
/// different target partitions are published concurrently.
public struct DeadLetterReplayer: Sendable {
    public let configuration: ServiceConfiguration
    public let options: DeadLetterReplayOptions
    private let logger: Logger
    private let output: @Sendable (String) -> Void

    /// - Parameters:
    ///   - configuration: the service's configuration (brokers, security properties, topics, group).
    ///   - output: receives the dry run's one line per letter (standard output in the command).
    public init(
        configuration: ServiceConfiguration,
        options: DeadLetterReplayOptions,
        logger: Logger,
        output: @escaping @Sendable (String) -> Void = { print($0) }
    ) {
        self.configuration = configuration
        self.options = options
        self.logger = logger
        self.output = output
    }

    /// The consumer group whose committed offsets are this replay's position in the dead-letter topic.
    public var replayGroup: String { options.replayGroup(serviceGroup: configuration.groupID) }

    /// Replays up to the watermarks seen at the start (or `options.limit` letters) and returns what it did.
    /// - Throws: `DeadLetterReplayError` (with the summary so far), or `KafkaError` of kind
    ///   `.configuration` for a configuration librdkafka rejects.
    public func run() async throws -> DeadLetterReplaySummary {
        let topic = configuration.deadLetterTopic
        let range = try await findRange()
        var session = ReplaySession(
            planner: DeadLetterReplayPlanner(
                errorClasses: options.errorClasses, targetTopicOverride: options.targetTopic, fallbackTopic: configuration.topic
            ),
            pending: range.pending,
            existingTopics: range.existingTopics,
            remainingLimit: options.limit ?? .max,
            summary: DeadLetterReplaySummary(deadLetterTopic: topic, replayGroup: replayGroup, dryRun: options.dryRun)
        )
        logger.info(
            "Replaying dead letters",
            metadata: [
                "topic": "\(topic)", "replay_group": "\(replayGroup)", "dry_run": "\(options.dryRun)",
                "letters_to_read": "\(range.pending.values.reduce(0) { $0 + $1.count })",
                "error_classes": "\(options.errorClasses.sorted().joined(separator: ","))",
            ]
        )
        guard !session.isFinished else { return session.summary }

        let producer = try options.dryRun ? nil : KafkaProducer(configuration: producerConfiguration, logger: logger)
        let inbox = DeadLetterReplayInbox(logger: logger)
        let consumer: KafkaConsumer
        do {
            consumer = try KafkaConsumer(
                configuration: consumerConfiguration,
                options: .init(topics: [topic], readFromBeginning: options.fromBeginning),
                delegate: inbox,
                logger: logger
            )
        } catch {
            await producer?.close()
            throw error
        }

        var replayFailure: DeadLetterReplayError?
        var consumerFailure: KafkaError?
        await withTaskGroup(of: KafkaError?.self) { group in
            group.addTask {
                // The stream ends when the consumer does, so the loop below cannot wait forever on a
                // consumer that stopped by itself.
                defer { inbox.finish() }
                do throws(KafkaError) {
                    try await consumer.run()
                    return nil
                } catch {
                    return error
                }
            }
            replayFailure = await replay(&session, consumer: consumer, inbox: inbox, producer: producer)
            // Stores requested above are applied before the close revokes the partitions, and the
            // manual-commit consumer commits them synchronously while closing.
            inbox.markClosing()
            consumer.close()
            for await result in group { consumerFailure = result }
        }
        await producer?.close()

        if let replayFailure { throw replayFailure }
        if let consumerFailure {
            throw DeadLetterReplayError.consumerFailed(consumerFailure.message, summary: session.summary)
        }
        logger.info("Dead-letter replay finished", metadata: ["replayed": "\(session.summary.replayed)", "skipped": "\(session.summary.skippedByFilter)"])
        return session.summary
    }

    // MARK: Configuration

    /// The service's consumer properties with the replay group; offsets are committed only explicitly,
    /// after confirmed publications; a new replay group starts at the beginning of the topic.
    private var consumerConfiguration: KafkaConfiguration {
        var properties = configuration.kafkaConfiguration
        properties["group.id"] = replayGroup
        properties["auto.offset.reset"] = "earliest"
        properties["enable.auto.commit"] = "false"
        return properties
    }

    /// The service's connection properties, with the dead-letter sink's delivery guarantees: confirmed
    /// by all in-sync replicas, never duplicated by producer retries.
    private var producerConfiguration: KafkaConfiguration {
        var properties = ProcessingServiceApp.producerConfiguration(from: configuration.kafkaConfiguration)
        properties["enable.idempotence"] = "true"
        properties["acks"] = "all"
        return properties
    }

    /// Asks the cluster what to read, retrying as the service does at start-up (`ConnectRetryPolicy`).
    private func findRange() async throws -> DeadLetterReplayRange {
        let policy = configuration.connectRetry
        var attempt = 1
        while true {
            do {
                return try await DeadLetterReplayRangeQuery.range(
                    topic: configuration.deadLetterTopic, configuration: consumerConfiguration,
                    fromBeginning: options.fromBeginning, timeout: policy.attemptTimeout
                )
            } catch {
                switch error.kind {
                case .configuration:
                    throw error
                case .unknownTopic:
                    throw DeadLetterReplayError.kafkaUnavailable("the dead-letter topic \(configuration.deadLetterTopic) does not exist")
                default:
                    guard policy.shouldRetry(afterAttempt: attempt) else {
                        throw DeadLetterReplayError.kafkaUnavailable(
                            "cannot reach Kafka at \(configuration.brokers): \(error.message) (gave up after \(attempt) attempts)"
                        )
                    }
                    logger.warning(
                        "Kafka not ready, retrying",
                        metadata: ["reason": "\(error.message)", "attempt": "\(attempt)", "retry_in": "\(policy.delay)"]
                    )
                    try await Task.sleep(for: policy.delay)
                    attempt += 1
                }
            }
        }
    }

    // MARK: Replay loop

    /// Replays what the consumer delivers until every partition reached its end (or the limit), storing
    /// and committing the dead-letter offsets of confirmed letters after each batch.
    /// - Returns: the failure that stopped it early, if any.
    private func replay(
        _ session: inout ReplaySession, consumer: KafkaConsumer, inbox: DeadLetterReplayInbox, producer: KafkaProducer?
    ) async -> DeadLetterReplayError? {
        for await event in inbox.events {
            switch event {
            case .revoked(let partitions):
                // Another replay in the same group owns them now; it replays them.
                for partition in partitions { session.pending[partition] = nil }
            case .records(let records):
                let outcome = await replayBatch(records, session: &session, producer: producer)
                consumer.storeOffsets(outcome.stores)
                if !outcome.stores.isEmpty { consumer.commit() }
                inbox.didHandle(records.count, consumer: consumer)
                if let failure = outcome.failure {
                    return .replayFailed(failure, summary: session.summary)
                }
            }
            if session.isFinished {
                session.summary.stoppedAtLimit = session.remainingLimit == 0 && !session.pending.isEmpty
                return nil
            }
        }
        return .consumerFailed("the consumer stopped before the replay was complete", summary: session.summary)
    }

    private struct BatchOutcome {
        /// Next dead-letter offsets to store: past every confirmed or skipped letter, up to the first failure.
        var stores: [TopicPartitionOffset] = []
        var failure: String?
    }

    /// One letter selected for this batch.
    private struct PlannedLetter {
        var record: KafkaRecord
        var errorClass: String
        var decision: DeadLetterReplayPlanner.Decision
    }

    private func replayBatch(_ records: [KafkaRecord], session: inout ReplaySession, producer: KafkaProducer?) async -> BatchOutcome {
        // Decide first, in dead-letter order, so that the limit counts exactly the letters replayed.
        var planned: [PlannedLetter] = []
        for record in records {
            // Past the watermark seen at the start (or a partition already finished or taken away):
            // left for the next replay, never stored.
            guard let range = session.pending[record.topicPartition.partition], record.offset < range.upperBound else { continue }
            guard session.remainingLimit > 0 else { break }
            let decision = session.planner.decide(record)
            if case .replay = decision { session.remainingLimit -= 1 }
            planned.append(PlannedLetter(record: record, errorClass: DeadLetterReplayPlanner.errorClass(of: record), decision: decision))
        }

        let failures: [Int: String]
        if let producer {
            failures = await publish(planned, existingTopics: session.existingTopics, producer: producer)
        } else {
            failures = [:]
            for letter in planned {
                if case .replay(let target) = letter.decision { output(Self.dryRunLine(letter.record, target: target, errorClass: letter.errorClass)) }
            }
        }

        // Count, and advance each dead-letter partition over its finished prefix.
        var outcome = BatchOutcome()
        var next: [TopicPartition: Int64] = [:]
        var blocked: Set<TopicPartition> = []
        for (index, letter) in planned.enumerated() {
            let partition = letter.record.topicPartition
            switch letter.decision {
            case .skipByFilter:
                session.summary.countSkipped(errorClass: letter.errorClass)
            case .replay(let target):
                if let failure = failures[index] {
                    outcome.failure = outcome.failure ?? "\(partition)@\(letter.record.offset) to \(target.topic): \(failure)"
                    blocked.insert(partition)
                    continue
                }
                session.summary.countReplayed(errorClass: letter.errorClass, topic: target.topic)
            }
            if !blocked.contains(partition) { next[partition] = letter.record.offset + 1 }
        }
        for (partition, offset) in next {
            if let range = session.pending[partition.partition], offset >= range.upperBound { session.pending[partition.partition] = nil }
        }
        // A dry run commits nothing: a later real run must still see every letter.
        if producer != nil {
            outcome.stores = next.map { TopicPartitionOffset($0.key, offset: $0.value) }
        }
        return outcome
    }

    /// Publishes the letters to replay, one lane per target partition (in order within a lane, lanes
    /// concurrently). A lane stops at its first failure, so a target partition never receives a letter
    /// after one that failed.
    /// - Returns: the failure of each index of `planned` that was not confirmed.
    private func publish(_ planned: [PlannedLetter], existingTopics: Set<String>, producer: KafkaProducer) async -> [Int: String] {
        var lanes: [String: [(Int, ProducerRecord)]] = [:]
        for (index, letter) in planned.enumerated() {
            guard case .replay(let target) = letter.decision else { continue }
            lanes["\(target.topic)#\(target.partition ?? -1)", default: []].append((index, target))
        }
        return await withTaskGroup(of: [Int: String].self) { group in
            for lane in lanes.values {
                group.addTask {
                    var failures: [Int: String] = [:]
                    for (position, (index, target)) in lane.enumerated() {
                        do throws(KafkaError) {
                            guard existingTopics.contains(target.topic) else {
                                throw KafkaError(kind: .unknownTopic, message: "topic \(target.topic) does not exist")
                            }
                            _ = try await producer.send(target)
                        } catch {
                            failures[index] = error.message
                            for (skipped, _) in lane.dropFirst(position + 1) {
                                failures[skipped] = "not attempted after an earlier letter for \(target.topic) failed"
                            }
                            break
                        }
                    }
                    return failures
                }
            }
            var all: [Int: String] = [:]
            for await failures in group { all.merge(failures) { first, _ in first } }
            return all
        }
    }

    static func dryRunLine(_ record: KafkaRecord, target: ProducerRecord, errorClass: String) -> String {
        let destination = target.partition.map { "\(target.topic)[\($0)]" } ?? target.topic
        var origin = ""
        if let topic = DeadLetterHeaders.value(DeadLetterHeaders.originalTopic, in: record.headers),
            let partition = DeadLetterHeaders.value(DeadLetterHeaders.originalPartition, in: record.headers),
            let offset = DeadLetterHeaders.value(DeadLetterHeaders.originalOffset, in: record.headers)
        {
            origin = ", from \(topic)[\(partition)]@\(offset)"
        }
        return "would replay \(record.topicPartition)@\(record.offset) to \(destination): \(errorClass)\(origin)"
    }
}

/// The state of one replay run, owned by its replay loop.
private struct ReplaySession {
    let planner: DeadLetterReplayPlanner
    /// Dead-letter offsets still to read per partition; a partition leaves when it reached its end.
    var pending: [Int32: Range<Int64>]
    let existingTopics: Set<String>
    /// Letters that may still be replayed (`--limit`).
    var remainingLimit: Int
    var summary: DeadLetterReplaySummary

    var isFinished: Bool { pending.isEmpty || remainingLimit == 0 }
}
