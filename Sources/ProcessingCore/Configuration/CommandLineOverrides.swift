/// Settings given on the command line. They win over the environment and the `.env` file.
///
/// `nil` means "not given"; the executable fills this from its flags (`--brokers`, `--topic`,
/// `--group-id`, `--read-from-beginning`, `--kafka-property`).
public struct CommandLineOverrides: Sendable, Equatable {
    /// `--brokers`: overrides `KAFKA_BROKERS`.
    public var brokers: String?
    /// `--topic`: overrides `KAFKA_TOPIC`.
    public var topic: String?
    /// `--group-id`: overrides `KAFKA_GROUP_ID`.
    public var groupID: String?
    /// `--read-from-beginning`: every partition assigned in this run starts at its earliest offset.
    public var readFromBeginning: Bool
    /// `--kafka-property name=value`, repeatable, in the order given (a later one wins), unparsed so that
    /// a malformed one is reported with the other configuration issues.
    public var kafkaProperties: [String]

    public init(
        brokers: String? = nil,
        topic: String? = nil,
        groupID: String? = nil,
        readFromBeginning: Bool = false,
        kafkaProperties: [String] = []
    ) {
        self.brokers = brokers
        self.topic = topic
        self.groupID = groupID
        self.readFromBeginning = readFromBeginning
        self.kafkaProperties = kafkaProperties
    }
}
