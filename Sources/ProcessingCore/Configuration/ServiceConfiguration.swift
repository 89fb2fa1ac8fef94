import Kafka
import Logging

/// Everything the processing service is configured with, after layering and validation.
///
/// Built by `ServiceConfiguration.load(...)` from, highest precedence first: command-line flags, the
/// process environment, a `.env` file in the working directory, and the defaults below (the original
/// service's, for the variables it had). A value that exists is a valid value: loading rejects anything
/// malformed with a `ConfigurationError`, before the service connects anywhere.
public struct ServiceConfiguration: Sendable, Equatable {
    /// `KAFKA_BROKERS` / `--brokers`: bootstrap brokers, comma-separated `host:port`. Default `localhost:9092`.
    public var brokers: String
    /// `KAFKA_TOPIC` / `--topic`: the topic consumed. Default `user-activity-events`.
    public var topic: String
    /// `KAFKA_GROUP_ID` / `--group-id`: the consumer group. Default `processing-service-group`.
    public var groupID: String
    /// `AUTO_OFFSET_RESET`: where a partition without a committed offset starts. Default `earliest`.
    public var autoOffsetReset: AutoOffsetReset
    /// `ENABLE_AUTO_COMMIT`: commit stored offsets in the background (`true`, the default), or commit
    /// explicitly after finished work (`false`). Offsets never run ahead of finished work either way.
    public var enableAutoCommit: Bool
    /// `MAX_RETRIES`, `RETRY_DELAY`, `CONNECT_TIMEOUT`: connecting to Kafka at start-up. Default 5
    /// attempts, 10 s apart, each waiting up to 10 s for an answer.
    public var connectRetry: ConnectRetryPolicy
    /// `ENVIRONMENT`: `development` (default) or `production`; picks the default log format.
    public var environment: DeploymentEnvironment
    /// `PROCESSING_MAX_ATTEMPTS`, `PROCESSING_BACKOFF_BASE`, `PROCESSING_BACKOFF_MULTIPLIER`,
    /// `PROCESSING_BACKOFF_MAX`, `PROCESSING_BACKOFF_JITTER`: retrying an event whose processing failed.
    /// Default 3 attempts, 0.2 s × 2ⁿ capped at 30 s, ±20 % jitter.
    public var processingRetry: BackoffPolicy
    /// `LOG_LEVEL`: `trace`, `debug`, `info` (default), `notice`, `warning`, `error`, `critical`.
    public var logLevel: Logger.Level
    /// `LOG_FORMAT`: `json` or `text`. Default `json` when `ENVIRONMENT=production`, else `text`.
    public var logFormat: LogFormat
    /// `LOG_BUFFER_SIZE`: bytes of log lines kept in memory for a log reader that falls behind, before
    /// lines are dropped (see `NonBlockingLogWriter`). `0`: no buffer, each line is written by the thread
    /// that logs it, so none is ever dropped or lost in a crash, but a stuck reader stops the service.
    /// Default 1 MiB.
    public var logBufferSize: Int
    /// `SHUTDOWN_TIMEOUT`: how long in-flight events may take to finish after SIGTERM. Default 30 s.
    public var shutdownTimeout: Duration
    /// `DLQ_ENABLED`: send undecodable events and events that exhausted their attempts to the
    /// dead-letter topic (`true`, the default). When `false`, such a failure stops its partition instead.
    public var deadLetterEnabled: Bool
    /// `DLQ_TOPIC`: the dead-letter topic. Default `<topic>.dlq`.
    public var deadLetterTopic: String
    /// `--read-from-beginning`: every partition assigned in this run starts at its earliest offset,
    /// whatever was committed, then commits normally.
    public var readFromBeginning: Bool
    /// librdkafka properties given through `KAFKA_CFG_<NAME>` variables and `--kafka-property`, each
    /// already checked by librdkafka. None of them is one the fields above own (`FirstClassKafkaProperty`:
    /// loading rejects those), so they only add to the properties derived from the fields.
    public var customKafkaProperties: [String: String]
    /// `SINK`, `DATABASE_URL`, `SQLITE_PATH`, `FILES_DIR`, `SINK_TABLE`, `SINK_BATCH_*`: where processed
    /// events are stored (see `SinkConfiguration`). Default: nowhere (`SINK=log`).
    public var sink: SinkConfiguration = .defaults
    /// `HTTP_ENABLED`, `HTTP_HOST`, `HTTP_PORT`, `PROGRESS_LOG_INTERVAL` (see `ObservabilitySettings`).
    public var observability: ObservabilitySettings = .defaults

    /// The defaults, as used when nothing is configured.
    public static let defaults = ServiceConfiguration(
        brokers: "localhost:9092",
        topic: "user-activity-events",
        groupID: "processing-service-group",
        autoOffsetReset: .earliest,
        enableAutoCommit: true,
        connectRetry: .default,
        environment: .development,
        processingRetry: .default,
        logLevel: .info,
        logFormat: .text,
        logBufferSize: NonBlockingLogWriter.defaultCapacity,
        shutdownTimeout: .seconds(30),
        deadLetterEnabled: true,
        deadLetterTopic: "user-activity-events.dlq",
        readFromBeginning: false,
        customKafkaProperties: [:]
    )

    /// The suffix appended to the topic name for the default dead-letter topic.
    public static let deadLetterTopicSuffix = ".dlq"

    public init(
        brokers: String,
        topic: String,
        groupID: String,
        autoOffsetReset: AutoOffsetReset,
        enableAutoCommit: Bool,
        connectRetry: ConnectRetryPolicy,
        environment: DeploymentEnvironment,
        processingRetry: BackoffPolicy,
        logLevel: Logger.Level,
        logFormat: LogFormat,
        logBufferSize: Int = NonBlockingLogWriter.defaultCapacity,
        shutdownTimeout: Duration,
        deadLetterEnabled: Bool,
        deadLetterTopic: String,
        readFromBeginning: Bool,
        customKafkaProperties: [String: String]
    ) {
        self.brokers = brokers
        self.topic = topic
        self.groupID = groupID
        self.autoOffsetReset = autoOffsetReset
        self.enableAutoCommit = enableAutoCommit
        self.connectRetry = connectRetry
        self.environment = environment
        self.processingRetry = processingRetry
        self.logLevel = logLevel
        self.logFormat = logFormat
        self.logBufferSize = logBufferSize
        self.shutdownTimeout = shutdownTimeout
        self.deadLetterEnabled = deadLetterEnabled
        self.deadLetterTopic = deadLetterTopic
        self.readFromBeginning = readFromBeginning
        self.customKafkaProperties = customKafkaProperties
    }

    /// librdkafka properties the service sets unless the user does (`KAFKA_CFG_*`), and why.
    ///
    /// librdkafka prefetches up to `queued.max.messages.kbytes` (default 64 MiB) of decompressed
    /// messages whenever the consumer is slower than the fetch, and one Fetch response (`fetch.max.bytes`,
    /// default 50 MiB of compressed batches) can overshoot that limit several times. The pipeline works
    /// through a few thousand records at a time, so that much prefetch only costs memory: with 8 MiB and
    /// 4 MiB the benchmark's peak RSS fell from ~131 MiB to ~58 MiB at the same throughput. A small queue
    /// is only affordable because the consumer wakes librdkafka's fetchers as soon as the queue drains
    /// (see `FetchWakeup` in the Kafka module); without that, librdkafka 2.0.2 idles up to a second each
    /// time the queue fills.
    ///
    /// `fetch.wait.max.ms` (default 500): with a small queue, librdkafka can decide "queue full" for some
    /// partitions and "fetchable" for others within one pass while the consumer drains the queue; if the
    /// fetchable ones have no new data, the broker holds that Fetch for the whole wait, and no other Fetch
    /// goes out meanwhile (librdkafka keeps one Fetch in flight per broker). The benchmark showed it as
    /// ~0.5 s of idle time before the last partitions were read with the default. With 100 ms, scheduler
    /// traces still showed the consumer idle through two such 100 ms holds in a row, and the measured
    /// window's median was 0.79 s over 14 rounds, against 0.70 s over 8 rounds with 25 ms (0.71 s over 14
    /// with 10 ms): 25 ms bounds each hold, at the price of 40 (tiny, empty) Fetch requests a second per idle broker
    /// instead of two.
    public static let kafkaPropertyDefaults: [String: String] = [
        "queued.max.messages.kbytes": "8192",
        "fetch.max.bytes": "4194304",
        "fetch.wait.max.ms": "25",
    ]

    /// The consumer's librdkafka properties: ``kafkaPropertyDefaults``, overridden by
    /// `customKafkaProperties`, plus `bootstrap.servers`, `group.id`, `auto.offset.reset` and
    /// `enable.auto.commit` from the fields above (a loaded configuration has no custom property for
    /// those; should one be set by hand anyway, the field wins, as everything else reads the field).
    ///
    /// The pipeline adds what its delivery guarantees need (e.g. `enable.auto.offset.store=false`) on top.
    public var kafkaConfiguration: KafkaConfiguration {
        var properties = Self.kafkaPropertyDefaults
        properties.merge(customKafkaProperties) { _, custom in custom }
        properties.merge([
            "bootstrap.servers": brokers,
            "group.id": groupID,
            "auto.offset.reset": autoOffsetReset.rawValue,
            "enable.auto.commit": enableAutoCommit ? "true" : "false",
        ]) { _, field in field }
        return KafkaConfiguration(properties)
    }
}
