import Foundation

/// What the benchmark measures of one consumer: the span from its group's first committed offset to all
/// offsets committed, and how much was committed at both ends.
///
/// Starting the clock at the first commit leaves out process start, the group join (3 s on the mock
/// cluster for a new group) and the first fetches, which say nothing about steady-state throughput; the
/// events committed before the window opened are subtracted, so the rate counts only work done inside it.
struct CommitWindow: Sendable {
    /// From starting the consumer process to the first committed offset seen.
    var startToFirstCommit: Duration
    /// Events committed when the window opened (the first non-zero total seen).
    var committedAtFirst: Int64
    /// Events committed when the window closed (every partition's high watermark).
    var committedAtAll: Int64
    /// From first commit seen to all offsets committed.
    var length: Duration
    /// CPU seconds the consumer process used inside the window (`nil` if /proc could not tell).
    var consumerCPUSeconds: Double?
    /// CPU seconds the broker process used inside the window: on a shared machine, the consumer's rate
    /// is bounded by the cores the broker leaves it.
    var brokerCPUSeconds: Double?
    /// Every sample from the first commit on: seconds since the window opened, events committed, and the
    /// consumer's CPU seconds since then (for `--keep-logs`' timelines: where a round stalled).
    var samples: [(seconds: Double, committed: Int64, cpuSeconds: Double?)] = []

    var eventsPerSecond: Double {
        Double(committedAtAll - committedAtFirst) / length.seconds
    }

    /// Polls `inspector` every `interval` while `consumer` runs, until the committed total reaches `target`.
    ///
    /// Each sample is stamped at the midpoint of its OffsetFetch round trip, the best estimate of when the
    /// coordinator read the offsets.
    /// - Throws: when the consumer exits before committing everything, when `timeout` passes, or when the
    ///   window is too short to measure (everything committed at the first sighting: produce more events).
    static func observe(
        inspector: OffsetInspector,
        target: Int64,
        consumer: ChildProcess,
        brokerPID: pid_t,
        started: ContinuousClock.Instant,
        interval: Duration,
        timeout: Duration
    ) throws -> CommitWindow {
        let deadline = started + timeout
        var first: (instant: ContinuousClock.Instant, committed: Int64, consumerCPU: Double?, brokerCPU: Double?)?
        var consecutiveFailures = 0
        var samples: [(seconds: Double, committed: Int64, cpuSeconds: Double?)] = []
        while true {
            let exitedBeforeSample = consumer.pollExit()
            let before = ContinuousClock.now
            let committed: Int64
            do {
                committed = try inspector.committedTotal()
                consecutiveFailures = 0
            } catch {
                // A coordinator still loading offsets answers with a retriable error now and then.
                consecutiveFailures += 1
                if consecutiveFailures >= 20 { throw BenchmarkError("monitor: \(error)") }
                Thread.sleep(forTimeInterval: interval.seconds)
                continue
            }
            let after = ContinuousClock.now
            let instant = before + (after - before) / 2
            // A consumer that exited (raw does, right after its last commit) has left /proc: its total
            // from wait4 is then its CPU time at this sample.
            let consumerCPU = ProcessCPUTime.seconds(of: consumer.pid) ?? consumer.termination?.cpuSeconds
            let brokerCPU = ProcessCPUTime.seconds(of: brokerPID)

            if let first {
                samples.append(((instant - first.instant).seconds, committed, difference(consumerCPU, first.consumerCPU)))
            }
            if committed >= target {
                guard let first, first.committed < target else {
                    throw BenchmarkError(
                        "\(consumer.name): all \(target) events were committed before the first sample; the window is too short to measure (use more --events)")
                }
                return CommitWindow(
                    startToFirstCommit: first.instant - started,
                    committedAtFirst: first.committed,
                    committedAtAll: committed,
                    length: instant - first.instant,
                    consumerCPUSeconds: difference(consumerCPU, first.consumerCPU),
                    brokerCPUSeconds: difference(brokerCPU, first.brokerCPU),
                    samples: samples)
            }
            if first == nil && committed > 0 { first = (instant, committed, consumerCPU, brokerCPU) }

            if let exit = exitedBeforeSample {
                throw BenchmarkError("\(consumer.name) ended (\(exit.summary)) with \(committed) of \(target) events committed")
            }
            if after >= deadline {
                throw BenchmarkError("\(consumer.name): \(committed) of \(target) events committed after \(timeout); giving up")
            }
            let next = before + interval
            let now = ContinuousClock.now
            if next > now { Thread.sleep(forTimeInterval: (next - now).seconds) }
        }
    }

    private static func difference(_ end: Double?, _ start: Double?) -> Double? {
        guard let end, let start else { return nil }
        return end - start
    }
}
