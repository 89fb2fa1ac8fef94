import CRdKafka

/// Conversions between Swift partition values and librdkafka's `rd_kafka_topic_partition_list_t`.
///
/// Lists built here are temporary: they live only for the duration of the closure they are passed to.
/// Lists that librdkafka passes into callbacks are owned by librdkafka and are only read (or, for the
/// assign case, have their offsets adjusted) while the callback runs.
enum NativeTopicPartitionList {
    typealias Pointer = UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    /// Builds a native list of `offsets`, runs `body` with it and destroys it.
    static func withList<Result>(
        _ offsets: some Collection<TopicPartitionOffset>,
        _ body: (Pointer) -> Result
    ) -> Result {
        let list = rd_kafka_topic_partition_list_new(Int32(clamping: offsets.count))!
        defer { rd_kafka_topic_partition_list_destroy(list) }
        for entry in offsets {
            let element = rd_kafka_topic_partition_list_add(
                list, entry.topicPartition.topic, entry.topicPartition.partition)
            element?.pointee.offset = entry.offset
        }
        return body(list)
    }

    /// Builds a native list of `partitions` (offsets left invalid), runs `body` with it and destroys it.
    static func withList<Result>(
        _ partitions: some Collection<TopicPartition>,
        _ body: (Pointer) -> Result
    ) -> Result {
        // RD_KAFKA_OFFSET_INVALID is what rd_kafka_topic_partition_list_add leaves in a new element.
        withList(partitions.map { TopicPartitionOffset($0, offset: Int64(RD_KAFKA_OFFSET_INVALID)) }, body)
    }

    /// The elements of a native list, as a buffer valid while the list lives.
    static func elements(of list: Pointer) -> UnsafeMutableBufferPointer<rd_kafka_topic_partition_t> {
        UnsafeMutableBufferPointer(start: list.pointee.elems, count: Int(list.pointee.cnt))
    }

    /// The partitions named in a native list.
    static func partitions(of list: Pointer) -> [TopicPartition] {
        elements(of: list).map { TopicPartition(topic: String(cString: $0.topic), partition: $0.partition) }
    }
}

extension TopicPartition {
    /// The partition a native list element names.
    init(_ element: rd_kafka_topic_partition_t) {
        self.init(topic: String(cString: element.topic), partition: element.partition)
    }
}
