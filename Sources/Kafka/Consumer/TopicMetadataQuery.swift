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
        // Asks for all topics rather than this one: a request naming a topic lets the broker create it
        // (brokers' auto.create.topics.enable, and librdkafka's mock cluster always does), which would
        // turn a misspelt topic into a new empty one instead of an error.
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(client, 1, nil, &metadata, timeoutMilliseconds)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            var error = KafkaError(code: err, context: "metadata for topic \(topic)")
            if err == RD_KAFKA_RESP_ERR__TRANSPORT {
                // librdkafka answers __TRANSPORT when no broker became usable within the timeout.
                error.kind = .timedOut
                error.message = "no broker answered within \(timeoutMilliseconds) ms (\(error.message))"
            }
            return .failure(error)
        }
        defer { rd_kafka_metadata_destroy(metadata) }

        let topics = UnsafeBufferPointer(start: metadata.pointee.topics, count: Int(metadata.pointee.topic_cnt))
        guard let entry = topics.first(where: { String(cString: $0.topic) == topic }) else {
            return .failure(KafkaError(kind: .unknownTopic, message: "topic \(topic) does not exist"))
        }
        guard entry.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            return .failure(KafkaError(code: entry.err, context: "topic \(topic)"))
        }
        return .success(Int(entry.partition_cnt))
    }
}
