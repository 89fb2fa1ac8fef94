/// A snapshot of everything the service knows about itself, as `/status` serves it (JSON, snake_case keys)
/// and the status page shows it. Built by a `StatusSource` from in-memory state only: making one never
/// waits for a broker.
public struct ServiceStatus: Sendable, Codable, Equatable {
    /// The service's phase.
    public enum State: String, Sendable, Codable {
        /// Connecting to Kafka or joining the group; not yet assigned anything.
        case starting
        /// A member of the group, consuming.
        case running
        /// Shutting down: taking no new events, finishing those in flight.
        case draining
    }

    /// Totals since the service started.
    public struct Totals: Sendable, Codable, Equatable {
        public var consumed: Int
        public var processed: Int
        /// Processing attempts that failed (each retry that fails counts again).
        public var failedAttempts: Int
        public var retries: Int
        public var deadLettered: Int
        /// Records that could not be decoded or validated.
        public var invalid: Int
        /// Partitions stopped behind an event that could not be processed or dead-lettered.
        public var halted: Int

        public init(consumed: Int = 0, processed: Int = 0, failedAttempts: Int = 0, retries: Int = 0,
                    deadLettered: Int = 0, invalid: Int = 0, halted: Int = 0) {
            self.consumed = consumed
            self.processed = processed
            self.failedAttempts = failedAttempts
            self.retries = retries
            self.deadLettered = deadLettered
            self.invalid = invalid
            self.halted = halted
        }
    }

    /// Rates per second over the last `windowSeconds` (at most a minute; less right after start).
    public struct Rates: Sendable, Codable, Equatable {
        public var windowSeconds: Double
        public var consumedPerSecond: Double
        public var processedPerSecond: Double
        public var deadLetteredPerSecond: Double
        public var retriesPerSecond: Double

        public init(windowSeconds: Double = 0, consumedPerSecond: Double = 0, processedPerSecond: Double = 0,
                    deadLetteredPerSecond: Double = 0, retriesPerSecond: Double = 0) {
            self.windowSeconds = windowSeconds
            self.consumedPerSecond = consumedPerSecond
            self.processedPerSecond = processedPerSecond
            self.deadLetteredPerSecond = deadLetteredPerSecond
            self.retriesPerSecond = retriesPerSecond
        }
    }

    /// The last error the consumer reported.
    public struct LastError: Sendable, Codable, Equatable {
        public var message: String
        public var kind: String
        public var secondsAgo: Double

        public init(message: String, kind: String, secondsAgo: Double) {
            self.message = message
            self.kind = kind
            self.secondsAgo = secondsAgo
        }
    }

    public var state: State
    public var version: String
    public var topic: String
    public var group: String
    /// This member's id in the group; empty before it joined.
    public var memberId: String
    /// librdkafka's group join state (`steady` once the assignment has settled), when known.
    public var groupJoinState: String?
    /// Brokers with an open, working connection, when known.
    public var brokersConnected: Int?
    /// The assigned partitions, sorted by topic and partition.
    public var partitions: [PartitionStatus]
    public var totals: Totals
    public var rates: Rates
    public var lastError: LastError?
    /// Seconds since the offsets were last read from the brokers (nil before the first read).
    public var offsetsAgeSeconds: Double?

    public init(
        state: State, version: String, topic: String, group: String, memberId: String = "",
        groupJoinState: String? = nil, brokersConnected: Int? = nil, partitions: [PartitionStatus] = [],
        totals: Totals = Totals(), rates: Rates = Rates(), lastError: LastError? = nil, offsetsAgeSeconds: Double? = nil
    ) {
        self.state = state
        self.version = version
        self.topic = topic
        self.group = group
        self.memberId = memberId
        self.groupJoinState = groupJoinState
        self.brokersConnected = brokersConnected
        self.partitions = partitions
        self.totals = totals
        self.rates = rates
        self.lastError = lastError
        self.offsetsAgeSeconds = offsetsAgeSeconds
    }

    /// Sum of the known lags of the assigned partitions.
    public var totalLag: Int64 {
        partitions.reduce(0) { $0 + ($1.lag ?? 0) }
    }
}
