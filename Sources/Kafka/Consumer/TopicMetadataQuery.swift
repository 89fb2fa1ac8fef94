import CRdKafka

/// Asks the brokers about one topic with `rd_kafka_metadata`, a blocking call: run it on a
/// `DedicatedThread`, never on the cooperative pool.
enum TopicMetadataQuery {
    /// The number of partitions of `topic`.
    /// - Throws: `.unknownTopic` when the cluster does not know the topic, `.timedOut` (or
    ///   `.brokerUnavailable`) when no broker answered within `timeoutMilliseconds`.
    static func partitionCount(
        client: OpaquePointer, topic: String, timeoutMilliseconds: Int32
    ) -> Result<Int, KafkaError> {
        // A topic handle restricts the request to this topic. With the consumer default
        // `allow.auto.create.topics=false`, asking does not create the topic.
        guard let topicHandle = rd_kafka_topic_new(client, topic, nil) else {
            return .failure(KafkaError(code: rd_kafka_last_error(), context: "topic \(topic)"))
        }
        defer { rd_kafka_topic_destroy(topicHandle) }

        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(client, 0, topicHandle, &metadata, timeoutMilliseconds)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            return .failure(KafkaError(code: err, context: "metadata for topic \(topic)"))
        }
        defer { rd_kafka_metadata_destroy(metadata) }

        let topics = UnsafeBufferPointer(start: metadata.pointee.topics, count: Int(metadata.pointee.topic_cnt))
        guard let entry = topics.first(where: { String(cString: $0.topic) == topic }) else {
            return .failure(KafkaError(kind: .unknownTopic, message: "topic \(topic) is not in the metadata response"))
        }
        guard entry.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            return .failure(KafkaError(code: entry.err, context: "topic \(topic)"))
        }
        return .success(Int(entry.partition_cnt))
    }
}
