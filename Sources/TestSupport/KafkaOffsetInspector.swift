import CRdKafka
import Foundation

/// Reads what a test needs to check delivery guarantees from outside the service: a consumer group's
/// committed offsets and a topic's high watermarks.
///
/// It is a librdkafka consumer handle created with the group's `group.id` that never subscribes, so it
/// never joins the group and never disturbs a rebalance: `rd_kafka_committed` only sends an OffsetFetch
/// to the group's coordinator. The `Kafka` wrapper deliberately has no such API (the service never needs
/// it), hence the direct C calls here.
///
/// Every call blocks the calling thread for at most its timeout (a hang bound; answers take milliseconds
/// against the mock cluster). Not thread-safe: use one inspector per thread, or guard it.
public final class KafkaOffsetInspector {
    private let handle: OpaquePointer

    /// The sentinel a partition without a committed offset reports (`RD_KAFKA_OFFSET_INVALID`).
    public static let noCommittedOffset: Int64 = Int64(RD_KAFKA_OFFSET_INVALID)

    /// - Parameters:
    ///   - bootstrapServers: e.g. `MockBroker.bootstrapServers`.
    ///   - groupID: the consumer group whose committed offsets `committedOffsets` reads.
    /// - Throws: `KafkaOffsetInspectorError.creationFailed` when librdkafka rejects the configuration.
    public init(bootstrapServers: String, groupID: String) throws {
        let configuration = rd_kafka_conf_new()
        var errorBuffer = [CChar](repeating: 0, count: 512)
        let properties = [
            "bootstrap.servers": bootstrapServers,
            "group.id": groupID,
            // Never commit anything on this handle's behalf, even when it is destroyed.
            "enable.auto.commit": "false",
            // Quiet: a test's log is for the service's messages.
            "log_level": "3",
        ]
        for (name, value) in properties {
            guard rd_kafka_conf_set(configuration, name, value, &errorBuffer, errorBuffer.count) == RD_KAFKA_CONF_OK else {
                rd_kafka_conf_destroy(configuration)
                throw KafkaOffsetInspectorError.creationFailed(Self.string(errorBuffer))
            }
        }
        // On success rd_kafka_new owns the configuration; on failure it is still ours.
        guard let handle = rd_kafka_new(RD_KAFKA_CONSUMER, configuration, &errorBuffer, errorBuffer.count) else {
            rd_kafka_conf_destroy(configuration)
            throw KafkaOffsetInspectorError.creationFailed(Self.string(errorBuffer))
        }
        self.handle = handle
    }

    deinit {
        // Never subscribed, so there is no group to leave: destroying without rd_kafka_consumer_close is
        // correct and does not block.
        rd_kafka_destroy_flags(handle, Int32(RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE))
    }

    /// The group's committed offset (the next offset to read) of each partition `0..<partitionCount` of
    /// `topic`. A partition the group never committed is absent from the result.
    /// - Throws: `KafkaOffsetInspectorError.requestFailed` when the coordinator does not answer in time.
    public func committedOffsets(topic: String, partitionCount: Int, timeout: Duration = .seconds(30)) throws -> [Int32: Int64] {
        guard let list = rd_kafka_topic_partition_list_new(Int32(partitionCount)) else {
            throw KafkaOffsetInspectorError.requestFailed("cannot allocate a partition list")
        }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for partition in 0..<Int32(partitionCount) {
            rd_kafka_topic_partition_list_add(list, topic, partition)
        }
        let error = rd_kafka_committed(handle, list, Self.milliseconds(timeout))
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaOffsetInspectorError.requestFailed("committed offsets of \(topic): \(String(cString: rd_kafka_err2str(error)))")
        }
        var offsets: [Int32: Int64] = [:]
        for element in UnsafeBufferPointer(start: list.pointee.elems, count: Int(list.pointee.cnt)) {
            guard element.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaOffsetInspectorError.requestFailed(
                    "committed offset of \(topic)[\(element.partition)]: \(String(cString: rd_kafka_err2str(element.err)))"
                )
            }
            if element.offset != Self.noCommittedOffset { offsets[element.partition] = element.offset }
        }
        return offsets
    }

    /// The high watermark (the offset the next produced record gets) of each partition `0..<partitionCount`
    /// of `topic`, asked of the partition leaders.
    public func highWatermarks(topic: String, partitionCount: Int, timeout: Duration = .seconds(30)) throws -> [Int32: Int64] {
        var watermarks: [Int32: Int64] = [:]
        for partition in 0..<Int32(partitionCount) {
            var low: Int64 = 0
            var high: Int64 = 0
            let error = rd_kafka_query_watermark_offsets(handle, topic, partition, &low, &high, Self.milliseconds(timeout))
            guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaOffsetInspectorError.requestFailed(
                    "watermarks of \(topic)[\(partition)]: \(String(cString: rd_kafka_err2str(error)))"
                )
            }
            watermarks[partition] = high
        }
        return watermarks
    }

    private static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        return Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }

    private static func string(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Failures of `KafkaOffsetInspector`.
public enum KafkaOffsetInspectorError: Error, CustomStringConvertible {
    case creationFailed(String)
    case requestFailed(String)

    public var description: String {
        switch self {
        case let .creationFailed(reason): return "cannot create the offset inspector: \(reason)"
        case let .requestFailed(reason): return "offset request failed: \(reason)"
        }
    }
}
