/// A partition of a topic: the unit of ordering, assignment and offset tracking in Kafka.
public struct TopicPartition: Hashable, Sendable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)[\(partition)]" }

    /// Partitions `0..<count` of `topic`.
    public static func all(of topic: String, count: Int) -> [TopicPartition] {
        (0..<Int32(clamping: count)).map { TopicPartition(topic: topic, partition: $0) }
    }
}

/// A position in a partition. For stores and commits `offset` is the *next* offset to read
/// (the last finished offset + 1), as Kafka defines committed offsets.
public struct TopicPartitionOffset: Hashable, Sendable, CustomStringConvertible {
    public var topicPartition: TopicPartition
    public var offset: Int64

    public init(_ topicPartition: TopicPartition, offset: Int64) {
        self.topicPartition = topicPartition
        self.offset = offset
    }

    public var description: String { "\(topicPartition)@\(offset)" }
}
