import Foundation
import Testing
import TestSupport

extension ServiceEndToEndTests {
    /// Batches compressed with every codec librdkafka offers.
    @Suite("compressed batches")
    struct Compression {
        static let topic = ServiceEndToEndTests.topic
        static let partitionCount = ServiceEndToEndTests.partitionCount

        @Test("snappy, gzip, lz4 and zstd batches (and uncompressed ones) are all consumed and processed")
        func everyCodec() async throws {
            let broker = try await ServiceEndToEndTests.startBroker()
            defer { broker.requestStop() }
            let codecs = ["snappy", "gzip", "lz4", "zstd", "none"]
            // One batch run per codec, one after the other: every partition holds message sets of each codec.
            for (index, codec) in codecs.enumerated() {
                try await EventPublisher.publish(to: broker, topic: Self.topic, count: 300, seed: UInt64(index + 1), compression: codec)
            }
            let watermarks = try await broker.highWatermarks(topic: Self.topic, partitionCount: Self.partitionCount)
            #expect(watermarks.values.reduce(0, +) == 300 * codecs.count)

            let group = uniqueGroupID("compression")
            let service = try ServiceProcess(environment: ServiceProcess.environment(broker: broker, topic: Self.topic, groupID: group))
            try await service.waitForProcessed(upTo: watermarks)
            #expect(try await service.shutDown() == .exited(0), "\(service.tail())")

            let processed = service.processed
            #expect(processed.isExactlyOnce(upTo: watermarks), "\(processed); duplicates \(processed.duplicates)")
            #expect(service.errorLines.isEmpty, "\(service.errorLines.map(\.message))")
            #expect(try await broker.committedOffsets(group: group, topic: Self.topic, partitionCount: Self.partitionCount) == watermarks)
        }
    }
}
