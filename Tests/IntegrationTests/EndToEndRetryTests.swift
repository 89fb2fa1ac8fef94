import Foundation
import Testing
import TestSupport

extension ServiceEndToEndTests {
    /// Processing retries, in process with a scripted processor.
    @Suite("processing retries")
    struct Retries {
        static let topic = ServiceEndToEndTests.topic
        static let partitionCount = ServiceEndToEndTests.partitionCount

        @Test("a processor failing twice succeeds on the third attempt: processed once, in order, committed, not dead-lettered")
        func failsTwiceThenSucceeds() async throws {
            let broker = try await ServiceEndToEndTests.startBroker()
            defer { broker.requestStop() }
            try await EventPublisher.publish(to: broker, topic: Self.topic, count: 600)
            let watermarks = try await broker.highWatermarks(topic: Self.topic, partitionCount: Self.partitionCount)
            // One event early in a partition and the very first of another: both have later events that
            // must wait for them.
            let failing: Set<[Int64]> = [[0, 5], [3, 0]]
            try #require(watermarks[0, default: 0] > 10 && watermarks[3, default: 0] > 10, "\(watermarks)")

            let group = uniqueGroupID("retry")
            let configuration = try GracefulShutdownHarness.configuration(
                broker: broker, topic: Self.topic, groupID: group,
                [
                    "PROCESSING_MAX_ATTEMPTS": "3", "PROCESSING_BACKOFF_BASE": "100ms",
                    "PROCESSING_BACKOFF_MULTIPLIER": "2", "PROCESSING_BACKOFF_JITTER": "0",
                ]
            )
            let processor = AttemptRecordingProcessor { partition, offset, attempt in
                failing.contains([Int64(partition), offset]) && attempt <= 2
            }
            try await GracefulShutdownHarness.run(configuration, processor: processor) {
                try await eventually("every event processed", details: { "\(processor.processed)" }) {
                    processor.processed.missing(below: watermarks).isEmpty
                }
                // Committed while running (the auto-commit timer), not only at shutdown.
                try await eventually("every offset committed") {
                    try await broker.committedOffsets(group: group, topic: Self.topic, partitionCount: Self.partitionCount) == watermarks
                }
            }

            let attempts = processor.allAttempts
            for key in failing {
                let (partition, offset) = (Int32(key[0]), key[1])
                let tries = attempts.filter { $0.partition == partition && $0.offset == offset }
                #expect(tries.map { $0.attempt } == [1, 2, 3], "partition \(partition) offset \(offset)")
                #expect(tries.map { $0.succeeded } == [false, false, true])
                // Order kept: nothing after the failing event was attempted before it succeeded.
                let inPartition = attempts.filter { $0.partition == partition }
                let succeededAt = try #require(inPartition.firstIndex { $0.offset == offset && $0.succeeded })
                #expect(inPartition[..<succeededAt].allSatisfy { $0.offset <= offset }, "partition \(partition) overtook its failing event")
            }
            let succeeded = processor.processed
            #expect(succeeded.isExactlyOnce(upTo: watermarks), "\(succeeded); duplicates \(succeeded.duplicates)")
            #expect(succeeded.outOfOrderPartitions.isEmpty)
            let eventCount = watermarks.values.reduce(0, +)
            #expect(Int64(attempts.count) == eventCount + Int64(2 * failing.count), "one attempt per event, two more per failing one")
            #expect(try await broker.highWatermarks(topic: Self.topic + ".dlq", partitionCount: 1) == [0: 0], "nothing dead-lettered")
            #expect(try await broker.committedOffsets(group: group, topic: Self.topic, partitionCount: Self.partitionCount) == watermarks)
        }
    }
}
