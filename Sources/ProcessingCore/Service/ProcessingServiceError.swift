/// Why the service stopped with an error, and the exit code that tells an orchestrator so
/// (BSD `sysexits.h` codes, as Unix services use).
public enum ProcessingServiceError: Error, CustomStringConvertible {
    /// Kafka could not be reached, or the topic did not exist, within `MAX_RETRIES` × `RETRY_DELAY`.
    case kafkaUnavailable(String)
    /// librdkafka reported a fatal error: the client cannot go on; a restart is needed.
    case fatalKafkaError(String)

    /// `EX_UNAVAILABLE` (69) for an unreachable dependency, `EX_SOFTWARE` (70) for a fatal client error.
    public var exitCode: Int32 {
        switch self {
        case .kafkaUnavailable: 69
        case .fatalKafkaError: 70
        }
    }

    public var description: String {
        switch self {
        case .kafkaUnavailable(let reason): "Kafka unavailable: \(reason)"
        case .fatalKafkaError(let reason): "fatal Kafka error: \(reason)"
        }
    }
}
