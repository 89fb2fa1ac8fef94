import CRdKafka

/// Asks the brokers about one topic with `rd_kafka_metadata`, a blocking call: run it on a
/// `DedicatedThread` (or another thread of its own), never on the cooperative pool. Used by the consumer's
/// start-up check and by the dead-letter replay's range query.
package enum TopicMetadataQuery {
    /// What the cluster said about a topic.
    package struct Description: Sendable, Equatable {
        /// The topic's number of partitions.
        package var partitionCount: Int
        /// The names of every topic in the cluster at that moment.
        package var clusterTopics: Set<String>
    }

    /// The number of partitions of `topic`.
    /// - Throws: see ``describe(client:topic:timeout:)``.
    static func partitionCount(
        client: OpaquePointer, topic: String, timeout: Duration
    ) -> Result<Int, KafkaError> {
        describe(client: client, topic: topic, timeout: timeout).map(\.partitionCount)
    }

    /// The partition count of `topic` and the names of all topics, from one metadata request on `client`.
    /// - Returns: `.unknownTopic` when the cluster does not know the topic, `.timedOut` (or
    ///   `.brokerUnavailable`) when no broker answered within `timeout`.
    package static func describe(
        client: OpaquePointer, topic: String, timeout: Duration
    ) -> Result<Description, KafkaError> {
        // Asks for all topics rather than this one: a request naming a topic lets the broker create it
        // (brokers' auto.create.topics.enable, and librdkafka's mock cluster always does), which would
        // turn a misspelt topic into a new empty one instead of an error.
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(client, 1, nil, &metadata, timeout.librdkafkaRequestMilliseconds)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            var error = KafkaError(code: err, context: "metadata for topic \(topic)")
            if err == RD_KAFKA_RESP_ERR__TRANSPORT {
                // librdkafka answers __TRANSPORT when no broker became usable within the timeout.
                error.kind = .timedOut
                error.message = "no broker answered within \(timeout.librdkafkaRequestMilliseconds) ms (\(error.message))"
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
        return .success(Description(
            partitionCount: Int(entry.partition_cnt), clusterTopics: Set(topics.map { String(cString: $0.topic) })))
    }
}
