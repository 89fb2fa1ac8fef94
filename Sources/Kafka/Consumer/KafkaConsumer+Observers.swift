import CRdKafka

/// What a running consumer tells observers (health, status, metrics) beyond its offsets.
extension KafkaConsumer {
    /// This member's id in the group (empty before it first joined), `nil` once the consumer has closed.
    public func memberID() async -> String? {
        try? await blockingCall("member-id") { client -> Result<String, KafkaError> in
            guard let pointer = rd_kafka_memberid(client) else { return .success("") }
            defer { rd_kafka_mem_free(client, pointer) }
            return .success(String(cString: pointer))
        }
    }

    /// The partitions this consumer has paused on request (cleared when they are revoked).
    public var pausedPartitions: Set<TopicPartition> {
        state.withLock { $0.paused }
    }

    /// What the poll thread records for observers (see `ConsumerObservations`).
    public var observations: ConsumerObservations { state.observations }
}
