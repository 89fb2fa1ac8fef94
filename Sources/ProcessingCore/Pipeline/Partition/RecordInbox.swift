import Kafka

/// The hand-off of records from the poll thread to one partition's processing task: slices of the
/// consumer's batches waiting in offset order, or the processing task waiting for the next one.
/// Part of `PartitionState`, under its lock.
///
/// Slices share the consumer batch's storage, so handing records over costs no per-record copy or
/// reference counting; the processing task takes everything waiting at once.
struct RecordInbox {
    typealias Batch = [ArraySlice<KafkaRecord>]

    private var waiting: Batch = []
    private var waiter: CheckedContinuation<Batch?, Never>?

    /// Hands `records` to the waiting processing task, or keeps them for its next `take`.
    mutating func put(_ records: ArraySlice<KafkaRecord>) {
        if let waiter {
            self.waiter = nil
            waiter.resume(returning: [records])
        } else {
            waiting.append(records)
        }
    }

    /// Answers `continuation` with everything waiting, or parks it until the next `put` or `close`.
    mutating func take(_ continuation: CheckedContinuation<Batch?, Never>) {
        if waiting.isEmpty {
            waiter = continuation
        } else {
            let batch = waiting
            waiting = []
            continuation.resume(returning: batch)
        }
    }

    /// Drops what waits and answers a parked `take` with nil (no more records).
    mutating func close() {
        waiting = []
        waiter?.resume(returning: nil)
        waiter = nil
    }
}
