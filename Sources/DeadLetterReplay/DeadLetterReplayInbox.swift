import Kafka
import Logging
import Synchronization

/// The replay consumer's delegate: hands what the consumer delivers to the replay loop as a stream of
/// events, and pauses fetching while too many records wait (a dead-letter topic can be large).
///
/// Delegate methods run on the consumer's poll thread and only enqueue; the replay loop consumes
/// `events` in its own task.
final class DeadLetterReplayInbox: KafkaConsumerDelegate {
    enum Event: Sendable {
        case records([KafkaRecord])
        /// Partitions of the dead-letter topic taken away by a rebalance (another replay joined the group).
        case revoked([Int32])
    }

    /// Pause fetching once this many records wait ...
    static let pauseThreshold = 10_000
    /// ... and resume when no more than this many are left.
    static let resumeThreshold = 2_000

    let events: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation
    private let flow = Mutex(Flow())
    private let logger: Logger

    private struct Flow {
        var buffered = 0
        var paused: Set<TopicPartition> = []
        var closing = false
    }

    init(logger: Logger) {
        (events, continuation) = AsyncStream.makeStream(of: Event.self)
        self.logger = logger
    }

    /// Ends `events` (after the consumer stopped).
    func finish() {
        continuation.finish()
    }

    /// From now on revokes are the consumer closing, not another member taking partitions.
    func markClosing() {
        flow.withLock { $0.closing = true }
    }

    /// The replay loop finished `count` records; resumes fetching when enough of the backlog is gone.
    func didHandle(_ count: Int, consumer: KafkaConsumer) {
        let toResume = flow.withLock { flow -> [TopicPartition] in
            flow.buffered -= count
            guard !flow.paused.isEmpty, flow.buffered <= Self.resumeThreshold else { return [] }
            defer { flow.paused = [] }
            return Array(flow.paused)
        }
        consumer.resume(toResume)
    }

    // MARK: KafkaConsumerDelegate (poll thread)

    func consumer(_ consumer: KafkaConsumer, didAssign partitions: [TopicPartition]) {
        logger.info("Dead-letter partitions assigned", metadata: ["partitions": "\(partitions.map(\.description).joined(separator: ","))"])
    }

    func consumer(_ consumer: KafkaConsumer, willRevoke partitions: [TopicPartition], lost: Bool) -> [TopicPartitionOffset] {
        let closing = flow.withLock { flow in
            flow.paused.subtract(partitions)
            return flow.closing
        }
        if !closing {
            logger.warning(
                "Dead-letter partitions taken away by a rebalance; another replay in the same group reads them",
                metadata: ["partitions": "\(partitions.map(\.description).joined(separator: ","))", "lost": "\(lost)"]
            )
            continuation.yield(.revoked(partitions.map(\.partition)))
        }
        // Finished letters were stored as they were confirmed (stores are applied before a revoke).
        return []
    }

    func consumer(_ consumer: KafkaConsumer, didReceive records: [KafkaRecord]) {
        let assignment = consumer.assignment  // read outside `flow`'s lock: never hold two locks
        let toPause = flow.withLock { flow -> [TopicPartition] in
            flow.buffered += records.count
            guard flow.buffered >= Self.pauseThreshold else { return [] }
            let assignment = assignment.subtracting(flow.paused)
            flow.paused.formUnion(assignment)
            return Array(assignment)
        }
        consumer.pause(toPause)
        continuation.yield(.records(records))
    }

    func consumer(_ consumer: KafkaConsumer, didEncounter error: KafkaError) {
        logger.warning("Kafka: \(error.message)", metadata: ["error_kind": "\(error.kind)", "error_code": "\(error.code)"])
    }
}
