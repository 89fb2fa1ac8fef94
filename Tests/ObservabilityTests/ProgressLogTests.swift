@testable import Observability
import Testing

@Suite("Progress log decisions")
struct ProgressLogTests {
    static func status(processed: Int, deadLettered: Int = 0, lags: [Int64?]) -> ServiceStatus {
        ServiceStatus(
            state: .running, version: "1", topic: "t", group: "g",
            partitions: lags.enumerated().map { index, lag in
                PartitionStatus(topic: "t", partition: Int32(index), nextOffset: lag.map { _ in 0 }, highWatermark: lag)
            },
            totals: .init(processed: processed, deadLettered: deadLettered))
    }

    @Test("a line says what happened since the last one; none when idle and caught up")
    func linesSkipIdlePeriods() throws {
        var log = ProgressLog()
        let firstLine = log.line(status: Self.status(processed: 100, deadLettered: 2, lags: [5, 0]), elapsed: .seconds(10))
        let first = try #require(firstLine)
        #expect(first["processed"] == "100")
        #expect(first["dead_lettered"] == "2")
        #expect(first["events_per_second"] == "10.0")
        #expect(first["total_lag"] == "5")
        #expect(first["assigned_partitions"] == "2")
        let idle = log.line(status: Self.status(processed: 100, deadLettered: 2, lags: [0, 0]), elapsed: .seconds(10))
        #expect(idle == nil)
        // Nothing processed but something behind (a halted partition): still reported.
        let behindLine = log.line(status: Self.status(processed: 100, deadLettered: 2, lags: [3, 0]), elapsed: .seconds(10))
        let behind = try #require(behindLine)
        #expect(behind["processed"] == "0")
        #expect(behind["total_lag"] == "3")
    }

    @Test("Caught up once: when a known total lag first reaches 0 after being positive")
    func caughtUpOnce() {
        var log = ProgressLog()
        do { let said = log.caughtUp(totalLag: nil); #expect(!said) }
        do { let said = log.caughtUp(totalLag: 0); #expect(!said, "never behind: nothing to catch up") }
        do { let said = log.caughtUp(totalLag: 12); #expect(!said) }
        do { let said = log.caughtUp(totalLag: nil); #expect(!said, "unknown is not caught up") }
        do { let said = log.caughtUp(totalLag: 0); #expect(said) }
        do { let said = log.caughtUp(totalLag: 0); #expect(!said) }
        do { let said = log.caughtUp(totalLag: 4); #expect(!said) }
        do { let said = log.caughtUp(totalLag: 0); #expect(!said, "once") }
    }
}
