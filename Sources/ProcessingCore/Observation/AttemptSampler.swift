#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One partition worker's measurements of first attempts for `PipelineHistograms`, kept in its own
/// memory and merged once per slice.
///
/// Why sampled: reading the clock costs 35–65 ns here (`clock_gettime`, and Swift's `ContinuousClock`
/// around it, measured on the development machine), twice per attempt — 5–9 % of the service's whole
/// per-event cost. So the first attempt of every slice and one in `interval` after it are timed; each timed
/// attempt stands for the untimed ones since the previous (they go into its bucket, so the histogram's
/// count stays exact and its buckets add up), and at each merge the untimed rest goes into the bucket of
/// the slice's last timed attempt. Per event this costs a decrement and a branch. Retries and other
/// failure-path attempts are rare and timed exactly (`PipelineHistograms` directly).
///
/// The event age (record timestamp → finished) is sampled the same way, on the timed attempts that
/// succeeded, with the wall clock read then.
struct AttemptSampler {
    /// One timed first attempt in this many.
    static let interval = 32

    private var countdown = 0
    /// First attempts since the last timed one, and successes among them (their ages).
    private var untimedAttempts = 0
    private var untimedSuccesses = 0
    private var lastDuration: (nanoseconds: Int64, bucket: Int)?
    private var lastAge: (nanoseconds: Int64, bucket: Int)?
    private var durations: LatencyTally
    private var ages: LatencyTally
    private let histograms: PipelineHistograms

    init(histograms: PipelineHistograms) {
        self.histograms = histograms
        durations = histograms.processingDuration.makeTally()
        ages = histograms.eventAge.makeTally()
    }

    /// A first attempt begins. - Returns: the start time when this one is timed, else nil.
    @inline(__always)
    mutating func attemptBegins() -> UInt64? {
        guard countdown == 0 else {
            countdown -= 1
            return nil
        }
        countdown = Self.interval - 1
        return Self.monotonicNanoseconds()
    }

    /// The first attempt ended; `started` is what `attemptBegins()` returned. `timestamp`: the record's
    /// (milliseconds since the epoch), read only for timed successes.
    @inline(__always)
    mutating func attemptEnded(started: UInt64?, succeeded: Bool, timestamp: @autoclosure () -> Int64?) {
        untimedAttempts += 1
        if succeeded { untimedSuccesses += 1 }
        guard let started else { return }
        let elapsed = Self.elapsedNanoseconds(since: started)
        lastDuration = (elapsed, durations.record(nanoseconds: elapsed, weight: untimedAttempts))
        untimedAttempts = 0
        if succeeded, let milliseconds = timestamp() {
            let age = Self.ageNanoseconds(ofTimestamp: milliseconds)
            lastAge = (age, ages.record(nanoseconds: age, weight: untimedSuccesses))
            untimedSuccesses = 0
        }
    }

    /// Once per slice: attributes the untimed rest and merges into the shared histograms; the next
    /// slice's first attempt is timed again.
    mutating func merge() {
        if untimedAttempts > 0, let last = lastDuration {
            durations.record(nanoseconds: last.nanoseconds, weight: untimedAttempts)
            untimedAttempts = 0
        }
        if untimedSuccesses > 0, let last = lastAge {
            ages.record(nanoseconds: last.nanoseconds, weight: untimedSuccesses)
            untimedSuccesses = 0
        }
        histograms.processingDuration.merge(&durations)
        histograms.eventAge.merge(&ages)
        countdown = 0
    }

    /// Nanoseconds since `started` (a `monotonicNanoseconds()` reading).
    @inline(__always)
    static func elapsedNanoseconds(since started: UInt64) -> Int64 {
        Int64(bitPattern: monotonicNanoseconds() &- started)
    }

    /// How old a record is now, from its timestamp (milliseconds since the epoch); 0 for one from the future.
    @inline(__always)
    static func ageNanoseconds(ofTimestamp milliseconds: Int64) -> Int64 {
        max(0, wallClockMilliseconds() - milliseconds) * 1_000_000
    }

    static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
    }

    static func wallClockMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }
}
