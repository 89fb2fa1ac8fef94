#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Holds a publishing loop to a target rate by sleeping until each record's scheduled time whenever the
/// loop is ahead. Checks the clock only every `checkInterval` records, so pacing costs nothing per record.
struct RatePacer {
    private let eventsPerSecond: Double
    private let start = ContinuousClock.now
    private let checkInterval: Int

    init(eventsPerSecond: Double) {
        self.eventsPerSecond = eventsPerSecond
        // About 100 checks per second: smooth enough, and cheap.
        checkInterval = max(1, Int(eventsPerSecond / 100))
    }

    /// Call after `count` records were published; sleeps if they were published ahead of schedule.
    func pace(afterPublishing count: Int) {
        guard count % checkInterval == 0 else { return }
        let due = start.advanced(by: .seconds(Double(count) / eventsPerSecond))
        let ahead = due - ContinuousClock.now
        guard ahead > .zero else { return }
        let (seconds, attoseconds) = ahead.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        // An interrupted sleep only makes this batch a little early; the next check corrects it.
        nanosleep(&request, nil)
    }
}
