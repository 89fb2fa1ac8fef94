import Synchronization

/// A histogram of durations (Prometheus semantics: fixed upper bounds, a sum and a count) that the
/// pipeline fills a slice at a time: each worker counts into its own `LatencyTally` without any lock or
/// atomic, and merges it here once per slice, so the shared lock is taken per slice, not per event.
///
/// Why not swift-prometheus's `Histogram`: its `record(_:)` takes a lock (and walks every bucket) per
/// observation and cannot add a pre-counted batch; with one histogram shared by the workers of both cores
/// that is a contended lock per event on the hot path (measured in `LatencyHistogramCostTests`).
/// `Observability` renders the snapshot in the same text format as swift-prometheus's histograms.
public final class LatencyHistogram: Sendable {
    /// The buckets' upper bounds, in nanoseconds, ascending; an implicit `+Inf` bucket follows.
    public let upperBounds: [Int64]
    private let state: Mutex<Counts>

    /// Per-bucket counts (not cumulative), the sum and the count.
    public struct Counts: Sendable, Equatable {
        /// One entry per upper bound, plus the `+Inf` bucket last.
        public var buckets: [Int]
        public var sumNanoseconds: Int64
        public var count: Int

        init(bucketCount: Int) {
            buckets = Array(repeating: 0, count: bucketCount)
            sumNanoseconds = 0
            count = 0
        }

        /// Cumulative counts per upper bound (`le`), as Prometheus exposes them; the last is `+Inf` = count.
        public var cumulative: [Int] {
            var running = 0
            return buckets.map { running += $0; return running }
        }
    }

    /// - Parameter upperBounds: bucket bounds, ascending, e.g. `[.milliseconds(1), .milliseconds(10)]`.
    public init(upperBounds: [Duration]) {
        self.upperBounds = upperBounds.map { $0.nanoseconds }
        self.state = Mutex(Counts(bucketCount: upperBounds.count + 1))
    }

    /// A tally with this histogram's buckets, for one worker to fill.
    public func makeTally() -> LatencyTally {
        LatencyTally(upperBounds: upperBounds)
    }

    /// Adds `tally`'s observations (one lock) and empties it.
    public func merge(_ tally: inout LatencyTally) {
        guard tally.count > 0 else { return }
        state.withLock { counts in
            for index in counts.buckets.indices { counts.buckets[index] += tally.buckets[index] }
            counts.sumNanoseconds &+= tally.sumNanoseconds
            counts.count += tally.count
        }
        tally.reset()
    }

    /// Adds one observation under the lock: for the rare failure-path observations (retries, dead
    /// letters); the hot path goes through a `LatencyTally`.
    public func record(nanoseconds: Int64) {
        var index = 0
        while index < upperBounds.count && nanoseconds > upperBounds[index] { index += 1 }
        state.withLock { counts in
            counts.buckets[index] += 1
            counts.sumNanoseconds &+= nanoseconds
            counts.count += 1
        }
    }

    /// Everything recorded so far.
    public func snapshot() -> Counts {
        state.withLock { $0 }
    }
}
