import Foundation
import Kafka
import Testing
import TestSupport

/// The service binary killed with SIGKILL mid-stream, then restarted: every event processed at least
/// once, and the events processed twice are exactly those the first run processed but had not committed.
@Suite(.timeLimit(.minutes(5)))
struct FaultCrashSafetyTests {
    @Test func aKilledServiceLosesNothingAndRepeatsOnlyItsUncommittedWork() async throws {
        let partitions = 6
        let broker = try await MockBroker(topics: ["events": partitions])
        let group = uniqueGroupID("fault-crash")
        // LOG_BUFFER_SIZE=0: each `Processing event` line is in the pipe before its offset can be stored.
        // With a buffer, lines still in the process's memory at the SIGKILL are lost while their offsets
        // may already be committed, and the test would count those events as never processed.
        let environment = ServiceProcess.environment(broker: broker, topic: "events", groupID: group, [
            "KAFKA_CFG_AUTO_COMMIT_INTERVAL_MS": "1000", "LOG_LEVEL": "info", "LOG_BUFFER_SIZE": "0",
        ])
        let producing = try EventPublisher.start(to: broker, topic: "events", count: 30_000, rate: 5_000)
        let first = try ServiceProcess(name: "crash-first", environment: environment)
        try await first.waitForProcessed(count: 10_000)
        first.kill()
        #expect(try await first.waitForExit() == .signalled(SIGKILL))
        let committedAtKill = try await broker.committedOffsets(group: group, topic: "events", partitionCount: partitions)
        let firstRun = first.processed
        try await producing.finish()

        let second = try ServiceProcess(name: "crash-second", environment: environment)
        let ends = try await broker.highWatermarks(topic: "events", partitionCount: partitions)
        #expect(ends.values.reduce(0, +) == 30_000)
        try await eventually("every offset committed after the restart", timeout: .seconds(180), details: { second.tail() }) {
            try await broker.committedOffsets(group: group, topic: "events", partitionCount: partitions) == ends
        }
        let secondRun = second.processed
        let all = firstRun.merging(secondRun)
        #expect(all.missing(below: ends).isEmpty, "every event processed at least once")

        var duplicates = 0
        var uncommittedWindow = 0
        for partition in 0..<Int32(partitions) {
            let before = Set(firstRun.offsets(of: partition))
            duplicates += Set(secondRun.offsets(of: partition)).intersection(before).count
            uncommittedWindow += before.filter { $0 >= committedAtKill[partition, default: 0] }.count
        }
        print(
            "crash safety: first run processed \(firstRun.count) before SIGKILL, committed \(committedAtKill.values.reduce(0, +)), "
                + "uncommitted window \(uncommittedWindow), processed twice after the restart: \(duplicates)"
        )
        #expect(firstRun.duplicates.isEmpty && secondRun.duplicates.isEmpty, "no repeats within a run")
        #expect(duplicates <= uncommittedWindow, "repeats bounded by what was processed but not committed")
        #expect(try await second.shutDown() == .exited(0))
    }
}
