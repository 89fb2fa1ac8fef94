import Foundation

/// Bounds how many consumed records wait in the pipeline by holding the consumer's poll thread back,
/// rather than by pausing partitions.
///
/// Why not pause: pausing a partition makes librdkafka drop what it had already fetched and decompressed
/// for it, and fetch it again on resume — measured at a third of all fetched data when the pipeline
/// used pause for backpressure. Not polling costs nothing: librdkafka stops fetching once its own queue
/// (`queued.max.messages.kbytes`) is full. Pausing stays for what it is good at: stopping one partition
/// (a retry backoff, an unavailable dead-letter topic, a partition too far behind) while others flow.
///
/// Only records of flowing partitions count: a paused partition's records cannot be worked off by
/// polling less, so they must not hold the others back. Each partition's `FlowShare` keeps that
/// bookkeeping.
///
/// `@unchecked Sendable`: `inFlight` and `waiting` are only touched with `condition` locked.
final class FlowControl: @unchecked Sendable {
    /// Records of flowing partitions that may wait in the pipeline before the poll thread is held back.
    let limit: Int
    private let condition = NSCondition()
    private var inFlight = 0
    private var waiting = 0

    init(limit: Int) {
        self.limit = limit
    }

    /// Adds (or, negative, removes) records counted against the limit. Called by workers with their
    /// partition lock held (lock order: partition lock → this lock; nothing here calls back out).
    func adjust(by delta: Int) {
        guard delta != 0 else { return }
        condition.lock()
        let wasOver = inFlight > limit
        inFlight += delta
        if wasOver, inFlight <= limit { condition.broadcast() }
        condition.unlock()
    }

    /// The current count, for tests and diagnostics.
    var count: Int {
        condition.lock()
        defer { condition.unlock() }
        return inFlight
    }

    /// How many threads wait in `waitForRoom` now, for tests and diagnostics.
    var waitingCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return waiting
    }

    /// Called on the poll thread after a batch was handed out: waits while the pipeline holds more than
    /// `limit` records, but at most `maximumWait`, so that the poll loop still serves rebalances and
    /// queued requests (pause, resume, store) promptly even when processing is stuck.
    func waitForRoom(maximumWait: TimeInterval) {
        condition.lock()
        defer { condition.unlock() }
        guard inFlight > limit else { return }
        let deadline = Date(timeIntervalSinceNow: maximumWait)
        waiting += 1
        defer { waiting -= 1 }
        while inFlight > limit {
            if !condition.wait(until: deadline) { return }
        }
    }
}
