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
    public init(code err: rd_kafka_resp_err_t, context: String? = nil) {
        let name = String(cString: rd_kafka_err2name(err))
        let text = String(cString: rd_kafka_err2str(err))
        let kind: Kind
        switch err {
        case RD_KAFKA_RESP_ERR__STATE, RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION: kind = .partitionNotAssigned
        case RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT: kind = .timedOut
        case RD_KAFKA_RESP_ERR__FATAL: kind = .fatal
        case RD_KAFKA_RESP_ERR__INVALID_ARG, RD_KAFKA_RESP_ERR__UNKNOWN_PROTOCOL: kind = .configuration
        default: kind = .other
        }
        self.init(
            kind: kind,
            code: err.rawValue,
            message: context.map { "\($0): \(name): \(text)" } ?? "\(name): \(text)"
        )
    }

    public var description: String { message }
}
