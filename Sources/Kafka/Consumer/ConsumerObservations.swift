import Synchronization

/// What the consumer's poll thread and librdkafka's callbacks record for observers (health checks,
/// metrics, the status page): when the poll loop last went round, rebalances by kind, commit failures,
/// the last error, a fatal error, and librdkafka's latest statistics document.
///
/// Written by the poll thread (and the statistics callback, which also runs on it); read from any thread.
/// Every write is one relaxed atomic or one short lock per *event of the consumer* (a poll iteration, a
/// rebalance, a commit result, an error), never per record.
public final class ConsumerObservations: Sendable {
    /// How a rebalance changed this member's assignment (the `kind` label of the rebalance counter).
    public enum RebalanceKind: String, Sendable, CaseIterable {
        /// Partitions were assigned.
        case assigned
        /// Partitions were revoked (given up in order; their finished work was committed).
        case revoked
        /// The assignment was lost (session timeout, fencing); nothing was committed for it.
        case lost
    }

    /// A non-fatal error, as last reported by the consumer.
    public struct ReportedError: Sendable, Equatable {
        public var message: String
        public var kind: KafkaError.Kind
        /// When it was reported.
        public var at: ContinuousClock.Instant
    }

    /// librdkafka's statistics JSON (`statistics.interval.ms`, see librdkafka's STATISTICS.md) as
    /// delivered, kept unparsed: parsing is left to the reader's thread, off the poll thread.
    public struct Statistics: Sendable {
        public var json: String
        public var receivedAt: ContinuousClock.Instant
    }

    /// Nanoseconds from `origin` to the last poll (negative is fine), `Int64.min` before the first.
    private let lastPollNanoseconds = Atomic<Int64>(.min)
    private let assignedCount = Atomic<Int>(0)
    private let revokedCount = Atomic<Int>(0)
    private let lostCount = Atomic<Int>(0)
    private let commitFailureCount = Atomic<Int>(0)
    private let errors = Mutex<(last: ReportedError?, fatal: String?)>((nil, nil))
    private let latestStatistics = Mutex<Statistics?>(nil)
    /// The clock the poll times are measured on; its `now` is one vDSO call.
    private static let clock = ContinuousClock()
    private static let origin = clock.now

    package init() {}

    // MARK: Reading

    /// When the poll loop last started an iteration (`nil` before it first did). The loop goes round at
    /// least every 100 ms while it runs: a value older than that means it is stuck (or was closed).
    public var lastPoll: ContinuousClock.Instant? {
        let nanoseconds = lastPollNanoseconds.load(ordering: .relaxed)
        return nanoseconds == .min ? nil : Self.origin.advanced(by: .nanoseconds(nanoseconds))
    }

    /// Rebalance callbacks of each kind so far.
    public func rebalances(_ kind: RebalanceKind) -> Int {
        switch kind {
        case .assigned: assignedCount.load(ordering: .relaxed)
        case .revoked: revokedCount.load(ordering: .relaxed)
        case .lost: lostCount.load(ordering: .relaxed)
        }
    }

    /// Commits that failed (automatic, explicit or at revoke), as reported by librdkafka.
    public var commitFailures: Int { commitFailureCount.load(ordering: .relaxed) }

    /// The last non-fatal error the consumer reported.
    public var lastError: ReportedError? { errors.withLock { $0.last } }

    /// The fatal error that stopped the consumer, if one did.
    public var fatalError: String? { errors.withLock { $0.fatal } }

    /// The latest statistics document, `nil` until the first arrives (or when statistics are off).
    public var statistics: Statistics? { latestStatistics.withLock { $0 } }

    // MARK: Recording (poll thread)

    func recordPoll() {
        recordPoll(at: Self.clock.now)
    }

    /// `package` for tests of what observers make of an old heartbeat.
    package func recordPoll(at instant: ContinuousClock.Instant) {
        let elapsed = Self.origin.duration(to: instant)
        let nanoseconds = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
        lastPollNanoseconds.store(max(.min + 1, nanoseconds), ordering: .relaxed)
    }

    func recordRebalance(_ kind: RebalanceKind) {
        switch kind {
        case .assigned: assignedCount.add(1, ordering: .relaxed)
        case .revoked: revokedCount.add(1, ordering: .relaxed)
        case .lost: lostCount.add(1, ordering: .relaxed)
        }
    }

    func recordCommitFailure() {
        commitFailureCount.add(1, ordering: .relaxed)
    }

    func recordError(_ error: KafkaError) {
        let reported = ReportedError(message: error.message, kind: error.kind, at: Self.clock.now)
        errors.withLock { $0.last = reported }
    }

    /// `package` for tests of what observers make of a fatal error.
    package func recordFatalError(_ error: KafkaError) {
        errors.withLock { $0.fatal = $0.fatal ?? error.message }
    }

    func recordStatistics(_ json: String) {
        let statistics = Statistics(json: json, receivedAt: Self.clock.now)
        latestStatistics.withLock { $0 = statistics }
    }
}
