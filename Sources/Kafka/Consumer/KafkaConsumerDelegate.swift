/// Receives what a `KafkaConsumer` consumes and learns about its assignment.
///
/// Threading and ordering rules (the contract the processing pipeline relies on):
/// - Every method is called on the consumer's dedicated poll thread, one call at a time, never on
///   Swift's cooperative thread pool. Implementations must return quickly: hand the work to tasks and
///   return. While a method runs nothing is polled, so the only acceptable wait is a short, bounded one
///   (the pipeline's flow control holds `didReceive` back at most 100 ms when it is full).
/// - For a partition, `partitionsAssigned` is called before any of its records are delivered, and
///   `partitionsRevoked` after the last of its records was delivered.
/// - Before calling `partitionsRevoked`, the consumer applies every offset store, pause and resume that
///   was requested before it (so no stale request survives a rebalance). The offsets that
///   `partitionsRevoked` returns are stored before the partitions are given up, so auto-commit (or the
///   explicit commit in manual mode) commits them as the partitions are revoked.
/// - The consumer's request methods (`storeOffsets`, `pause`, `resume`, `commit`, `stopDelivery`, `close`)
///   may be called from inside any delegate method; they are queued and applied before the next poll.
///   Requests made inside `willRevoke` are applied before the partitions are given up.
/// - `pause` takes effect at the next poll: the batch being polled when it was requested may still carry
///   records of the paused partition. After `resume`, delivery continues right after the last record
///   delivered for that partition (no gap, no duplicate).
/// - After `stopDelivery()`, `didReceive` is not called again; `willRevoke` still is (at close).
/// - `didReceive` is never called with an empty array. While the delegate runs, the consumer does not
///   poll: a slow delegate delays every partition (and, beyond `max.poll.interval.ms`, gets the member
///   evicted from the group).
public protocol KafkaConsumerDelegate: AnyObject, Sendable {
    /// Partitions newly assigned to this member (the whole assignment for EAGER rebalancing, the
    /// added partitions for COOPERATIVE).
    func consumer(_ consumer: KafkaConsumer, didAssign partitions: [TopicPartition])

    /// Partitions being taken away. `lost` is true when the assignment was lost (session timeout,
    /// fencing): then nothing may be stored, and the returned offsets are ignored.
    /// - Returns: the next offsets to read for finished work of these partitions, to store before they go.
    func consumer(_ consumer: KafkaConsumer, willRevoke partitions: [TopicPartition], lost: Bool) -> [TopicPartitionOffset]

    /// A batch of consumed records, possibly of several partitions, in offset order per partition.
    func consumer(_ consumer: KafkaConsumer, didReceive records: [KafkaRecord])

    /// A non-fatal error worth knowing about (broker down, transport failure, commit failure). The
    /// consumer keeps running; librdkafka retries on its own.
    func consumer(_ consumer: KafkaConsumer, didEncounter error: KafkaError)
}
