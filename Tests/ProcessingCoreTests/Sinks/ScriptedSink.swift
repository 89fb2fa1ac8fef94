import Kafka
import Synchronization
import TestSupport

@testable import ProcessingCore

/// An in-memory ``EventSink`` for the sink stage's tests: stores event ids, counts duplicates, and fails as
/// told — unavailable for the next N attempts, or rejecting any batch holding a "bad" event id. Every write
/// attempt is recorded and announced on ``attempts``, so tests wait for writes instead of sleeping.
final class ScriptedSink: EventSink {
    struct Attempt: Sendable {
        var eventIDs: [String]
        var offsets: [TopicPartitionOffset]
        /// What the stage had released when this attempt started.
        var releasedBefore: [TopicPartitionOffset]
        var failed: Bool
    }

    private struct State {
        var stored: [String] = []
        var storedSet: Set<String> = []
        var attempts: [Attempt] = []
        var unavailableFor = 0
        var rejectedIDs: Set<String> = []
        var tellsRejectedIndex = false
    }

    let name = "scripted"
    private let state = Mutex(State())
    /// Releases seen by the stage's `onRelease` (set by the test's `Releases`), to record per attempt.
    let releases: Releases
    /// Every write attempt, as it happens.
    let attempts = Mailbox<Attempt>()

    init(releases: Releases) {
        self.releases = releases
    }

    /// The next `count` attempts fail as unavailable.
    func failNext(_ count: Int) { state.withLock { $0.unavailableFor = count } }

    /// Batches holding any of `ids` are rejected (with the index of the first when `tellIndex`).
    func reject(_ ids: Set<String>, tellIndex: Bool = false) {
        state.withLock {
            $0.rejectedIDs = ids
            $0.tellsRejectedIndex = tellIndex
        }
    }

    var stored: [String] { state.withLock { $0.stored } }
    var allAttempts: [Attempt] { state.withLock { $0.attempts } }

    func open() async throws(EventSinkError) {}

    func write(_ batch: [SinkEvent]) async throws(EventSinkError) -> SinkWriteResult {
        let ids = batch.map(\.event.eventID)
        let released = releases.all
        let outcome = state.withLock { state -> Result<SinkWriteResult, EventSinkError> in
            var failure: EventSinkError?
            if state.unavailableFor > 0 {
                state.unavailableFor -= 1
                failure = .unavailable("scripted outage")
            } else if let bad = ids.firstIndex(where: state.rejectedIDs.contains) {
                failure = .rejected("scripted rejection of \(ids[bad])", eventIndex: state.tellsRejectedIndex ? bad : nil)
            }
            state.attempts.append(
                Attempt(
                    eventIDs: ids, offsets: batch.map { TopicPartitionOffset($0.topicPartition, offset: $0.offset) },
                    releasedBefore: released, failed: failure != nil))
            if let failure { return .failure(failure) }
            var result = SinkWriteResult.zero
            for id in ids {
                if state.storedSet.insert(id).inserted {
                    state.stored.append(id)
                    result.stored += 1
                } else {
                    result.duplicates += 1
                }
            }
            return .success(result)
        }
        attempts.post(allAttempts.last!)
        return try outcome.get()
    }

    func close() async {}
}

/// Collects what the stage releases (its `onRelease`), in order, and announces each call.
final class Releases: Sendable {
    private let list = Mutex<[TopicPartitionOffset]>([])
    /// Each `onRelease` call's positions, as they happen.
    let calls = Mailbox<[TopicPartitionOffset]>()

    init() {}

    func record(_ released: [TopicPartitionOffset]) {
        list.withLock { $0.append(contentsOf: released) }
        calls.post(released)
    }

    var all: [TopicPartitionOffset] { list.withLock { $0 } }

    /// The last position released for `partition`, if any.
    func last(_ partition: TopicPartition) -> Int64? {
        all.last { $0.topicPartition == partition }?.offset
    }
}

/// Dead letters kept in memory.
final class CollectingDeadLetters: DeadLetterSink {
    private let letters = Mutex<[DeadLetter]>([])
    private let failures = Mutex(0)

    /// The next `count` sends fail.
    func failNext(_ count: Int) { failures.withLock { $0 = count } }

    func send(_ letter: DeadLetter) async throws {
        let fail = failures.withLock { count -> Bool in
            guard count > 0 else { return false }
            count -= 1
            return true
        }
        if fail { throw CancellationError() }
        letters.withLock { $0.append(letter) }
    }

    var all: [DeadLetter] { letters.withLock { $0 } }
}

extension SampleEvents.Sample {
    var sinkEvent: SinkEvent { SinkEvent(event: event, record: record) }
}
