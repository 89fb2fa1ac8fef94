import CRdKafka

/// An error reported by librdkafka or by this wrapper, carrying librdkafka's error code where there is one.
public struct KafkaError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is, as far as the caller needs to react to it.
    public enum Kind: Sendable, Equatable {
        /// A configuration property was unknown or had an invalid value.
        case configuration
        /// librdkafka flagged the error as fatal: the client instance cannot be used any more.
        case fatal
        /// The operation failed but the client stays usable; retrying may help.
        case transient
        /// The partition is not (or no longer) assigned to this consumer.
        case partitionNotAssigned
        /// The broker did not answer in time.
        case timedOut
        /// The handle was already closed.
        case closed
        /// The topic (or partition) does not exist on the cluster.
        case unknownTopic
        /// Brokers cannot be reached (connection refused or lost, name resolution, all brokers down).
        /// librdkafka keeps reconnecting on its own.
        case brokerUnavailable
        /// Authentication or authorization failed (SASL, SSL, ACLs).
        case authentication
        /// Anything else, with librdkafka's code in `code`.
        case other
    }

    public var kind: Kind
    /// librdkafka's `rd_kafka_resp_err_t` value (0 when the error did not come from librdkafka).
    public var code: Int32
    public var message: String

    public init(kind: Kind, code: Int32 = 0, message: String) {
        self.kind = kind
        self.code = code
        self.message = message
    }

    /// Wraps a librdkafka response code, with its human-readable name and description.
    /// - Parameters:
    ///   - context: what was being done, prefixed to the message (`"commit"`, `"subscribe"`).
    ///   - reason: librdkafka's own detailed text when it gave one (error callbacks do), used instead of
    ///     the generic description of the code.
    public init(code err: rd_kafka_resp_err_t, context: String? = nil, reason: String? = nil) {
        let name = String(cString: rd_kafka_err2name(err))
        let text = reason ?? String(cString: rd_kafka_err2str(err))
        self.init(
            kind: Self.kind(of: err),
            code: err.rawValue,
            message: context.map { "\($0): \(name): \(text)" } ?? "\(name): \(text)"
        )
    }

    /// Wraps (and destroys) a librdkafka `rd_kafka_error_t`, honouring its fatal flag.
    package init(consuming error: OpaquePointer, context: String? = nil) {
        let err = rd_kafka_error_code(error)
        let reason = rd_kafka_error_string(error).map { String(cString: $0) }
        let isFatal = rd_kafka_error_is_fatal(error) != 0
        rd_kafka_error_destroy(error)
        self.init(code: err, context: context, reason: reason)
        if isFatal { kind = .fatal }
    }

    /// The kind a librdkafka response code maps to.
    package static func kind(of err: rd_kafka_resp_err_t) -> Kind {
        switch err {
        case RD_KAFKA_RESP_ERR__STATE, RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
            return .partitionNotAssigned
        case RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
            return .timedOut
        case RD_KAFKA_RESP_ERR__FATAL:
            return .fatal
        case RD_KAFKA_RESP_ERR__INVALID_ARG, RD_KAFKA_RESP_ERR__UNKNOWN_PROTOCOL, RD_KAFKA_RESP_ERR__INVALID_TYPE:
            return .configuration
        case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
            return .unknownTopic
        case RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__RESOLVE,
            RD_KAFKA_RESP_ERR__NODE_UPDATE:
            return .brokerUnavailable
        case RD_KAFKA_RESP_ERR__AUTHENTICATION, RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED,
            RD_KAFKA_RESP_ERR__SSL, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
            RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
            return .authentication
        case RD_KAFKA_RESP_ERR__DESTROY:
            return .closed
        case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_COORDINATOR,
            RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS, RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS,
            RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
            RD_KAFKA_RESP_ERR__WAIT_COORD, RD_KAFKA_RESP_ERR__IN_PROGRESS, RD_KAFKA_RESP_ERR__RETRY:
            return .transient
        default:
            return .other
        }
    }

    public var description: String { message }
}
