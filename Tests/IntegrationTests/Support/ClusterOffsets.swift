import Foundation
import Kafka
import TestSupport

/// Offsets as the cluster sees them, read from outside the service with a `KafkaOffsetClient` (a handle
/// that never joins the group; its requests run off the cooperative pool).
extension MockBroker {
    /// The group's committed offsets of `topic`'s partitions `0..<partitionCount`; a partition the
    /// group never committed is absent.
    func committedOffsets(group: String, topic: String, partitionCount: Int) async throws -> [Int32: Int64] {
        let client = try KafkaOffsetClient(configuration: offsetClientConfiguration(group: group))
        let offsets = try await client.committedOffsets(of: TopicPartition.all(of: topic, count: partitionCount))
        return Dictionary(uniqueKeysWithValues: offsets.map { ($0.key.partition, $0.value) })
    }

    /// The high watermarks (one past the last offset) of `topic`'s partitions `0..<partitionCount`.
    func highWatermarks(topic: String, partitionCount: Int) async throws -> [Int32: Int64] {
        // Any group id will do: watermarks do not involve the group.
        let client = try KafkaOffsetClient(configuration: offsetClientConfiguration(group: "itest-watermarks"))
        let watermarks = try await client.watermarks(of: TopicPartition.all(of: topic, count: partitionCount))
        return Dictionary(uniqueKeysWithValues: watermarks.map { ($0.key.partition, $0.value.high) })
    }

    private func offsetClientConfiguration(group: String) -> KafkaConfiguration {
        // Quiet: a test's log is for the service's messages.
        KafkaConfiguration(["bootstrap.servers": bootstrapServers, "group.id": group, "log_level": "3"])
    }
}

/// A consumer group id no other test (or earlier run) uses: each test's groups start with nothing
/// committed, whatever ran before.
func uniqueGroupID(_ label: String) -> String {
    "itest-\(label)-\(UUID().uuidString.prefix(8).lowercased())"
}
