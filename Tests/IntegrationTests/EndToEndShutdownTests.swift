import Foundation
import Testing
import TestSupport

extension ServiceEndToEndTests {
    /// Graceful shutdown while events flow: exit 0 within `SHUTDOWN_TIMEOUT`, commits never ahead of
    /// processed work, and a restart finishes the rest with nothing lost.
    @Suite("graceful shutdown mid-stream")
    struct Shutdown {
        static let topic = ServiceEndToEndTests.topic
        static let partitionCount = ServiceEndToEndTests.partitionCount

        @Test("SIGTERM while events stream in: exit 0 in time, commits ≤ processed work, a restart loses nothing")
        func sigtermMidStream() async throws {
            let broker = try await ServiceEndToEndTests.startBroker()
            defer { broker.requestStop() }
            let group = uniqueGroupID("sigterm")
            let shutdownTimeout = 5
            let environment = ServiceProcess.environment(
                broker: broker, topic: Self.topic, groupID: group, ["SHUTDOWN_TIMEOUT": String(shutdownTimeout)]
            )
            let first = try ServiceProcess(name: "service-first", environment: environment)
            try await first.waitUntil("all partitions assigned") { $0.assignment.count == Self.partitionCount }

            // A paced stream, so the SIGTERM lands while events are still arriving.
            let producing = try EventPublisher.start(to: broker, topic: Self.topic, count: 6_000, rate: 1_500)
            try await first.waitForProcessed(count: 1_000)
            let (exit, shutdownTook) = try await first.timedShutDown(timeout: .seconds(120))
            #expect(exit == .exited(0), "\(first.tail())")
            // SHUTDOWN_TIMEOUT bounds the wait for in-flight events; closing (commit, LeaveGroup) comes on
            // top, hence the margin. A hang bound, not a performance expectation.
            #expect(shutdownTook < .seconds(shutdownTimeout + 20), "shutdown took \(shutdownTook)")
            #expect(first.logLines.contains { $0.message == "Consumer closed" })

            let processedBefore = first.processed
            let committed = try await broker.committedOffsets(group: group, topic: Self.topic, partitionCount: Self.partitionCount)
            #expect(processedBefore.duplicates.isEmpty)
            for partition in 0..<Int32(Self.partitionCount) {
                let next = committed[partition] ?? 0
                // Never past processed work: nothing at or after the committed offset is claimed done
                // unless it was processed, and everything below it was processed.
                #expect(next <= (processedBefore.maxOffset(of: partition) ?? -1) + 1, "partition \(partition): committed \(next)")
                #expect(processedBefore.missing(below: [partition: next]).isEmpty, "partition \(partition): committed \(next) past unprocessed offsets")
                // A graceful shutdown stores and commits every finished event: exactly up to the work done.
                #expect(next == (processedBefore.maxOffset(of: partition) ?? -1) + 1, "partition \(partition): finished work not committed")
            }

            try await producing.finish()
            let watermarks = try await broker.highWatermarks(topic: Self.topic, partitionCount: Self.partitionCount)
            #expect(watermarks.values.reduce(0, +) == 6_000)
            #expect(committed.values.reduce(0, +) < 6_000, "the SIGTERM was meant to land mid-stream, but everything was already committed")

            let second = try ServiceProcess(name: "service-restarted", environment: environment)
            try await second.waitUntil("the rest processed") {
                processedBefore.merging($0.processed).missing(below: watermarks).isEmpty
            }
            #expect(try await second.shutDown() == .exited(0), "\(second.tail())")

            let all = processedBefore.merging(second.processed)
            #expect(all.missing(below: watermarks).isEmpty, "nothing lost")
            #expect(all.duplicates.isEmpty, "a graceful shutdown leaves nothing to redo: \(all.duplicates)")
            for partition in second.processed.partitions {
                #expect(second.processed.offsets(of: partition).first == committed[partition] ?? 0, "the restart resumes at the committed offset")
            }
            #expect(try await broker.committedOffsets(group: group, topic: Self.topic, partitionCount: Self.partitionCount) == watermarks)
        }

        @Test("a processor stuck past SHUTDOWN_TIMEOUT is abandoned: run() returns, its offset is not committed, a restart redoes it")
        func stuckProcessorIsAbandonedAndRedone() async throws {
            let broker = try await ServiceEndToEndTests.startBroker()
            defer { broker.requestStop() }
            try await EventPublisher.publish(to: broker, topic: Self.topic, count: 600)
            let watermarks = try await broker.highWatermarks(topic: Self.topic, partitionCount: Self.partitionCount)
            let stuckPartition: Int32 = 0
            let stuckOffset: Int64 = 20
            try #require(watermarks[stuckPartition, default: 0] > stuckOffset + 1, "\(watermarks)")

            let group = uniqueGroupID("abandon")
            let configuration = try GracefulShutdownHarness.configuration(
                broker: broker, topic: Self.topic, groupID: group, ["SHUTDOWN_TIMEOUT": "2"]
            )
            // Blocks for 30 s on one event, ignoring cancellation, like a processor stuck in blocking I/O.
            let stuck = StallingProcessor(stallsFor: { partition, offset in
                partition == stuckPartition && offset == stuckOffset ? .seconds(30) : nil
            })
            let shutdownStarted = try await GracefulShutdownHarness.run(configuration, processor: stuck) {
                try await eventually("everything else processed and the stuck event in flight", details: { "\(stuck.processed)" }) {
                    var expected = watermarks
                    expected[stuckPartition] = stuckOffset
                    return stuck.processed.missing(below: expected).isEmpty && !stuck.stalledEvents.isEmpty
                }
                return ContinuousClock.now
            }
            let shutdownTook = ContinuousClock.now - shutdownStarted
            #expect(shutdownTook < .seconds(2 + 20), "run() returned \(shutdownTook) after the shutdown began")
            #expect(stuck.processed.offsets(of: stuckPartition).allSatisfy { $0 < stuckOffset }, "nothing after the stuck event started")

            var expectedCommits = watermarks
            expectedCommits[stuckPartition] = stuckOffset
            #expect(
                try await broker.committedOffsets(group: group, topic: Self.topic, partitionCount: Self.partitionCount) == expectedCommits,
                "everything finished is committed, the abandoned event is not"
            )

            let restarted = AttemptRecordingProcessor()
            try await GracefulShutdownHarness.run(configuration, processor: restarted) {
                try await eventually("the abandoned event and the rest of its partition redone", details: { "\(restarted.processed)" }) {
                    restarted.processed.missing(below: [stuckPartition: watermarks[stuckPartition, default: 0]], from: [stuckPartition: stuckOffset]).isEmpty
                }
            }
            #expect(restarted.processed.partitions == [stuckPartition], "the other partitions were complete: \(restarted.processed)")
            #expect(restarted.processed.offsets(of: stuckPartition).first == stuckOffset)
            #expect(restarted.processed.duplicates.isEmpty)
            #expect(try await broker.committedOffsets(group: group, topic: Self.topic, partitionCount: Self.partitionCount) == watermarks)
        }
    }
}
