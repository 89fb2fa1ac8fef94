import Logging

/// The librdkafka configuration a `KafkaConsumer` actually runs with: the user's properties plus the
/// settings the consumer's offset discipline depends on.
struct ConsumerSettings: Sendable {
    /// How stored offsets reach the group coordinator.
    enum CommitMode: Sendable, Equatable {
        /// `enable.auto.commit=true`: librdkafka commits stored offsets periodically and on revoke/close.
        case automatic
        /// `enable.auto.commit=false`: offsets are committed by `commit()` and synchronously on revoke/close.
        case manual
    }

    let configuration: KafkaConfiguration
    let commitMode: CommitMode

    init(userConfiguration: KafkaConfiguration, logLevel: Logger.Level) throws(KafkaError) {
        guard let groupID = userConfiguration["group.id"], !groupID.isEmpty else {
            throw KafkaError(kind: .configuration, message: "group.id: a consumer needs a group id")
        }
        var configuration = userConfiguration
        // Offsets are stored only for finished work, by `storeOffsets` (at-least-once); librdkafka must
        // never store an offset just because a message was handed out.
        configuration["enable.auto.offset.store"] = "false"
        if configuration["partition.assignment.strategy"] == nil {
            configuration["partition.assignment.strategy"] = "cooperative-sticky"
        }
        if configuration["statistics.interval.ms"] == nil {
            // For observers (`ConsumerObservations.statistics`: brokers connected, group state): a small
            // JSON document a second, copied on the poll thread and parsed elsewhere.
            configuration["statistics.interval.ms"] = "1000"
        }
        if configuration["log_level"] == nil {
            // librdkafka then does not even format lines the logger would drop.
            configuration["log_level"] = String(LibrdkafkaLogBridge.syslogLevel(for: logLevel))
        }
        self.configuration = configuration
        self.commitMode = try Self.parseAutoCommit(configuration["enable.auto.commit"]) ? .automatic : .manual
    }

    /// librdkafka's boolean syntax (`true`/`false`, `t`/`f`, `1`/`0`, case-insensitive; default true).
    /// Invalid values are rejected here with the same kind of error `rd_kafka_conf_set` would report.
    private static func parseAutoCommit(_ value: String?) throws(KafkaError) -> Bool {
        guard let value else { return true }
        switch value.lowercased() {
        case "true", "t", "1": return true
        case "false", "f", "0": return false
        default:
            throw KafkaError(
                kind: .configuration,
                message: "enable.auto.commit: expected true or false, got \"\(value)\"")
        }
    }
}
