import Foundation
import TestSupport

/// Offsets as the cluster sees them, read from outside the service with `KafkaOffsetInspector` (a
/// handle that never joins the group).
extension MockBroker {
    /// The group's committed offsets of `topic`'s partitions `0..<partitionCount`; a partition the
    /// group never committed is absent.
    func committedOffsets(group: String, topic: String, partitionCount: Int) throws -> [Int32: Int64] {
        try KafkaOffsetInspector(bootstrapServers: bootstrapServers, groupID: group)
            .committedOffsets(topic: topic, partitionCount: partitionCount)
    }

    /// The high watermarks (one past the last offset) of `topic`'s partitions `0..<partitionCount`.
    func highWatermarks(topic: String, partitionCount: Int) throws -> [Int32: Int64] {
        // Any group id will do: watermarks do not involve the group.
        try KafkaOffsetInspector(bootstrapServers: bootstrapServers, groupID: "itest-watermarks")
            .highWatermarks(topic: topic, partitionCount: partitionCount)
    }
}

/// A consumer group id no other test (or earlier run) uses: each test's groups start with nothing
/// committed, whatever ran before.
func uniqueGroupID(_ label: String) -> String {
    "itest-\(label)-\(UUID().uuidString.prefix(8).lowercased())"
}
