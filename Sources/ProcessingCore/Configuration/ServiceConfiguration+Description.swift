import Kafka
import Logging

extension ServiceConfiguration: CustomStringConvertible {
    /// The effective configuration as structured log metadata, secrets redacted
    /// (`KafkaConfiguration.isSecret`), e.g. for the start-up log line. Keys are the variables' names in
    /// lower case; `kafka_properties` (the `KAFKA_CFG_*`/`--kafka-property` ones) is present when set.
    public var logMetadata: Logger.Metadata {
        var redactedProperties: Logger.Metadata = [:]
        for (name, value) in customKafkaProperties {
            redactedProperties[name] = .string(KafkaConfiguration.isSecret(name) ? "*****" : value)
        }
        var metadata: Logger.Metadata = [
            "kafka_brokers": .string(brokers),
            "kafka_topic": .string(topic),
            "kafka_group_id": .string(groupID),
            "auto_offset_reset": .string(autoOffsetReset.rawValue),
            "enable_auto_commit": .stringConvertible(enableAutoCommit),
            "max_retries": .stringConvertible(connectRetry.maxAttempts),
            "retry_delay_seconds": .stringConvertible(connectRetry.delay.inSeconds),
            "connect_timeout_seconds": .stringConvertible(connectRetry.attemptTimeout.inSeconds),
            "environment": .string(environment.rawValue),
            "processing_max_attempts": .stringConvertible(processingRetry.maxAttempts),
            "processing_backoff_base_seconds": .stringConvertible(processingRetry.baseDelay.inSeconds),
            "processing_backoff_multiplier": .stringConvertible(processingRetry.multiplier),
            "processing_backoff_max_seconds": .stringConvertible(processingRetry.maximumDelay.inSeconds),
            "processing_backoff_jitter": .stringConvertible(processingRetry.jitter),
            "log_level": .string(logLevel.rawValue),
            "log_format": .string(logFormat.rawValue),
            "log_buffer_size_bytes": .stringConvertible(logBufferSize),
            "shutdown_timeout_seconds": .stringConvertible(shutdownTimeout.inSeconds),
            "dlq_enabled": .stringConvertible(deadLetterEnabled),
            "dlq_topic": .string(deadLetterTopic),
            "read_from_beginning": .stringConvertible(readFromBeginning),
        ]
        if !redactedProperties.isEmpty { metadata["kafka_properties"] = .dictionary(redactedProperties) }
        return metadata
    }

    /// The effective configuration on one line, `key=value` pairs sorted by key, secrets redacted.
    public var description: String {
        logMetadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }
}
