import Configuration
import Kafka
import Logging

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension ServiceConfiguration {
    /// The name of the optional environment file read from the working directory.
    public static let environmentFileName = ".env"

    /// Loads and validates the configuration.
    ///
    /// Precedence, highest first: `commandLine`, `environment`, the file at `environmentFilePath` (if it
    /// exists; a missing file is not an error), the defaults. Every setting is checked; all problems are
    /// reported together.
    ///
    /// - Parameters:
    ///   - commandLine: values of the command-line flags.
    ///   - environment: the process environment (`ProcessInfo.processInfo.environment`), or a test's.
    ///   - environmentFilePath: the `.env` file; `nil` reads none. The executable passes `.env` (relative to
    ///     the working directory); tests pass a file in a temporary directory.
    /// - Throws: `ConfigurationError`, one line per problem, each naming its variable or flag.
    public static func load(
        commandLine: CommandLineOverrides = CommandLineOverrides(),
        environment: [String: String],
        environmentFilePath: String? = environmentFileName
    ) throws(ConfigurationError) -> ServiceConfiguration {
        let environmentFile = try environmentFilePath.map { path throws(ConfigurationError) in
            try readEnvironmentFile(atPath: path)
        } ?? DotEnvFile(variables: [:])
        return try load(commandLine: commandLine, environment: environment, environmentFile: environmentFile)
    }

    /// Loads and validates the configuration from an already parsed `.env` file (see the other overload).
    public static func load(
        commandLine: CommandLineOverrides,
        environment: [String: String],
        environmentFile: DotEnvFile
    ) throws(ConfigurationError) -> ServiceConfiguration {
        var flagIssues: [ConfigurationIssue] = []
        var commandLineValues: [AbsoluteConfigKey: ConfigValue] = [:]
        var flagNames: [String: String] = [:]
        for (variable, flag, value) in [
            ("KAFKA_BROKERS", "--brokers", commandLine.brokers),
            ("KAFKA_TOPIC", "--topic", commandLine.topic),
            ("KAFKA_GROUP_ID", "--group-id", commandLine.groupID),
        ] {
            guard let value else { continue }
            // An empty environment variable means "unset"; an empty flag is a mistake worth reporting.
            guard !Substring(value).trimmingWhitespace().isEmpty else {
                flagIssues.append(ConfigurationIssue(setting: flag, problem: "must not be empty"))
                continue
            }
            commandLineValues[AbsoluteConfigKey(LayeredSettings.key(forVariable: variable))] = .init(
                .string(value),
                isSecret: false
            )
            flagNames[variable] = flag
        }

        // An empty value counts as unset (compose files pass `LOG_LEVEL=${LOG_LEVEL:-}` through), so it
        // must not hide a lower layer: empty values are dropped before the layers are stacked.
        let environment = environment.filter { !Substring($0.value).trimmingWhitespace().isEmpty }
        let fileVariables = environmentFile.variables.filter { !Substring($0.value).trimmingWhitespace().isEmpty }

        // swift-configuration does the layering: the first provider that has a key answers.
        let reader = ConfigReader(providers: [
            InMemoryProvider(name: "command line", values: commandLineValues),
            EnvironmentVariablesProvider(environmentVariables: environment),
            EnvironmentVariablesProvider(environmentVariables: fileVariables),
        ])
        var settings = LayeredSettings(reader: reader, flagNames: flagNames)
        for issue in flagIssues { settings.report(issue) }

        let defaults = ServiceConfiguration.defaults
        let brokers = BrokerList.validated(
            settings.string("KAFKA_BROKERS", default: defaults.brokers), variable: "KAFKA_BROKERS", settings: &settings
        )
        let topic = settings.string("KAFKA_TOPIC", default: defaults.topic)
        let groupID = settings.string("KAFKA_GROUP_ID", default: defaults.groupID)
        let topicIsValid = validateTopicName(topic, variable: "KAFKA_TOPIC", settings: &settings)

        let autoOffsetReset = settings.choice(
            "AUTO_OFFSET_RESET",
            default: defaults.autoOffsetReset,
            accepted: AutoOffsetReset.acceptedNames,
            parse: AutoOffsetReset.init(librdkafkaName:)
        )
        let enableAutoCommit = settings.bool("ENABLE_AUTO_COMMIT", default: defaults.enableAutoCommit)
        let connectRetry = ConnectRetryPolicy(
            maxAttempts: settings.integer("MAX_RETRIES", default: defaults.connectRetry.maxAttempts, minimum: 1),
            delay: settings.duration("RETRY_DELAY", default: defaults.connectRetry.delay, allowZero: true),
            attemptTimeout: settings.duration(
                "CONNECT_TIMEOUT", default: defaults.connectRetry.attemptTimeout, allowZero: false
            )
        )
        let environmentKind = settings.choice(
            "ENVIRONMENT",
            default: defaults.environment,
            accepted: DeploymentEnvironment.allCases.map(\.rawValue).joined(separator: ", "),
            parse: { DeploymentEnvironment(rawValue: $0.lowercased()) }
        )

        let processingRetry = loadProcessingRetry(settings: &settings)

        let logLevel = settings.choice(
            "LOG_LEVEL",
            default: defaults.logLevel,
            accepted: Logger.Level.allCases.map(\.rawValue).joined(separator: ", "),
            parse: { Logger.Level(rawValue: $0.lowercased()) }
        )
        let logFormat = settings.choice(
            "LOG_FORMAT",
            default: LogFormat.defaultFormat(for: environmentKind),
            accepted: LogFormat.allCases.map(\.rawValue).joined(separator: ", "),
            parse: { LogFormat(rawValue: $0.lowercased()) }
        )
        let logBufferSize = settings.byteCount(
            "LOG_BUFFER_SIZE", default: defaults.logBufferSize, maximum: NonBlockingLogWriter.maximumCapacity
        )
        let shutdownTimeout = settings.duration("SHUTDOWN_TIMEOUT", default: defaults.shutdownTimeout, allowZero: false)

        let deadLetterEnabled = settings.bool("DLQ_ENABLED", default: defaults.deadLetterEnabled)
        let deadLetterTopic = settings.string("DLQ_TOPIC", default: topic + deadLetterTopicSuffix)
        // A derived name is checked too (a 247-character topic has no valid `.dlq` name), but only when
        // the topic itself is valid, so one bad KAFKA_TOPIC is not reported twice.
        if topicIsValid || settings.text("DLQ_TOPIC") != nil {
            validateTopicName(deadLetterTopic, variable: "DLQ_TOPIC", settings: &settings)
        }
        if deadLetterEnabled && deadLetterTopic == topic {
            settings.report("DLQ_TOPIC", "\"\(deadLetterTopic)\" must differ from the consumed topic (KAFKA_TOPIC)")
        }

        let customKafkaProperties = KafkaPropertyOverrides.collect(
            commandLine: commandLine.kafkaProperties,
            environment: environment,
            environmentFile: fileVariables,
            settings: &settings
        )

        var configuration = ServiceConfiguration(
            brokers: brokers,
            topic: topic,
            groupID: groupID,
            autoOffsetReset: autoOffsetReset,
            enableAutoCommit: enableAutoCommit,
            connectRetry: connectRetry,
            environment: environmentKind,
            processingRetry: processingRetry,
            logLevel: logLevel,
            logFormat: logFormat,
            logBufferSize: logBufferSize,
            shutdownTimeout: shutdownTimeout,
            deadLetterEnabled: deadLetterEnabled,
            deadLetterTopic: deadLetterTopic,
            readFromBeginning: commandLine.readFromBeginning,
            customKafkaProperties: customKafkaProperties
        )
        configuration.sink = SinkConfiguration.load(settings: &settings)
        configuration.observability = ObservabilitySettings.load(settings: &settings)
        // The custom properties were each checked on their own; check the combination librdkafka will
        // really get (brokers, group id, ... included) so nothing is left to fail at connect time.
        if settings.issues.isEmpty {
            do {
                try configuration.kafkaConfiguration.validate()
            } catch {
                settings.report(ConfigurationIssue(setting: "Kafka configuration", problem: error.message))
            }
        }
        guard settings.issues.isEmpty else { throw ConfigurationError(issues: settings.issues) }
        return configuration
    }

    private static func loadProcessingRetry(settings: inout LayeredSettings) -> BackoffPolicy {
        let defaults = BackoffPolicy.default
        let maxAttempts = settings.integer("PROCESSING_MAX_ATTEMPTS", default: defaults.maxAttempts, minimum: 1)
        let base = settings.duration("PROCESSING_BACKOFF_BASE", default: defaults.baseDelay, allowZero: true)
        let multiplier = settings.number(
            "PROCESSING_BACKOFF_MULTIPLIER",
            default: defaults.multiplier,
            range: 1...Double.infinity
        )
        var maximum = settings.duration("PROCESSING_BACKOFF_MAX", default: defaults.maximumDelay, allowZero: true)
        let jitter = settings.number("PROCESSING_BACKOFF_JITTER", default: defaults.jitter, range: 0...1)
        if maximum < base {
            let problem =
                "\(maximum.inSeconds)s is less than PROCESSING_BACKOFF_BASE (\(base.inSeconds)s); "
                + "the cap must be ≥ the first delay"
            settings.report("PROCESSING_BACKOFF_MAX", problem)
            maximum = base
        }
        return BackoffPolicy(
            maxAttempts: maxAttempts,
            baseDelay: base,
            multiplier: multiplier,
            maximumDelay: maximum,
            jitter: jitter
        )
    }

    /// Kafka's rule for topic names: 1–249 characters from letters, digits, `.`, `_` and `-`, not `.`/`..`.
    @discardableResult
    private static func validateTopicName(_ name: String, variable: String, settings: inout LayeredSettings) -> Bool {
        let allowed = name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                true
            default:
                false
            }
        }
        guard allowed, name.utf8.count <= 249, name != ".", name != ".." else {
            settings.report(
                variable,
                "\"\(name)\" is not a valid topic name (1–249 letters, digits, '.', '_' or '-')"
            )
            return false
        }
        return true
    }

    private static func readEnvironmentFile(atPath path: String) throws(ConfigurationError) -> DotEnvFile {
        guard FileManager.default.fileExists(atPath: path) else { return DotEnvFile(variables: [:]) }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigurationError(setting: path, problem: "cannot be read: \(error)")
        }
        guard let contents = String(validating: data, as: UTF8.self) else {
            throw ConfigurationError(setting: path, problem: "is not valid UTF-8 text")
        }
        return try DotEnvFile(parsing: contents, displayName: path)
    }
}
