import Foundation
import Kafka
import Synchronization
import Testing
import TestSupport

/// A member joining and one leaving while events flow (cooperative rebalancing): nothing lost, and no
/// offset committed by a member that no longer owns the partition — the group's committed offsets never
/// go backwards, which a late commit by a former owner would do.
@Suite(.timeLimit(.minutes(5)))
struct FaultRebalanceTests {
    @Test func aMemberJoiningAndOneLeavingLoseNothingAndNeverMoveCommitsBackwards() async throws {
        let partitions = 6
        let broker = try await MockBroker(topics: ["events": partitions])
        let group = uniqueGroupID("fault-rebalance")
        let environment = EmbeddedService.environment(broker: broker, topic: "events", group: group)
        let producing = try EventPublisher.start(to: broker, topic: "events", count: 12_000, rate: 800)
        // A little work per event, so that events are in flight when partitions move.
        let slow: FaultProcessor.Script = { _, _ in .delay(.milliseconds(1)) }

        // Watches the committed offsets for the whole test.
        let regressions = Mutex<[String]>([])
        let watching = Task {
            var last: [Int32: Int64] = [:]
            while !Task.isCancelled {
                if let committed = try? await broker.committedOffsets(group: group, topic: "events", partitionCount: partitions) {
                    for (partition, offset) in committed where offset < last[partition, default: 0] {
                        regressions.withLock { $0.append("[\(partition)] \(last[partition]!) -> \(offset)") }
                    }
                    last.merge(committed) { max($0, $1) }
                }
                try? await Task.sleep(for: .milliseconds(100))
            }
        }

        let first = try EmbeddedService(environment: environment, processor: FaultProcessor(script: slow))
        try await eventually("the first member processing", timeout: .seconds(60)) { first.processor.processed.count > 300 }
        let second = try EmbeddedService(environment: environment, processor: FaultProcessor(script: slow))
        try await eventually("the second member processing", timeout: .seconds(60)) { second.processor.processed.count > 300 }
        #expect(!first.log.lines(startingWith: "Partitions revoked").isEmpty, "the first member gave partitions to the second")
        await first.stop()  // leaves while events still flow
        try await producing.finish()

        let ends = try await broker.highWatermarks(topic: "events", partitionCount: partitions)
        try await eventually("every offset committed", timeout: .seconds(120)) {
            try await broker.committedOffsets(group: group, topic: "events", partitionCount: partitions) == ends
        }
        watching.cancel()
        await second.stop()

        let all = first.processor.processed.merging(second.processor.processed)
        #expect(all.missing(below: ends).isEmpty, "lost: \(all.missing(below: ends))")
        #expect(regressions.withLock { $0 }.isEmpty, "committed offsets went backwards: \(regressions.withLock { $0 })")
        #expect(first.log.lines(startingWith: "Partitions lost").isEmpty && second.log.lines(startingWith: "Partitions lost").isEmpty)
        let repeated = all.duplicates.values.reduce(0) { $0 + $1.count }
        // Where repeats came from, for the test output: each partition's repeated range and who processed it.
        for (partition, offsets) in all.duplicates.sorted(by: { $0.key < $1.key }) {
            print(
                "rebalance: [\(partition)] processed twice \(offsets.count) (\(offsets.first ?? -1)...\(offsets.last ?? -1)); "
                    + "first member up to \(first.processor.processed.maxOffset(of: partition) ?? -1), "
                    + "second from \(second.processor.processed.offsets(of: partition).min() ?? -1)"
            )
        }
        print("rebalance: \(all.count) events processed by two members, \(repeated) processed twice (handed over in flight)")
    }
}
