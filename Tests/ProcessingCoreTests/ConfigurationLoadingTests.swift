import Foundation
import Kafka
import Logging
import Testing

@testable import ProcessingCore

@Suite("ServiceConfiguration: defaults, variables and precedence")
struct ConfigurationLoadingTests {
    @Test("with nothing set, the seed README's defaults and ours apply")
    func defaults() throws {
        let configuration = try ServiceConfiguration.load(onlyFrom: [:])
        #expect(configuration == ServiceConfiguration.defaults)
        #expect(configuration.brokers == "localhost:9092")
        #expect(configuration.topic == "user-activity-events")
        #expect(configuration.groupID == "processing-service-group")
        #expect(configuration.autoOffsetReset == .earliest)
        #expect(configuration.enableAutoCommit)
        #expect(configuration.connectRetry == ConnectRetryPolicy(maxAttempts: 5, delay: .seconds(10)))
        #expect(configuration.environment == .development)
        #expect(configuration.processingRetry.maxAttempts == 3)
        #expect(configuration.processingRetry.baseDelay == .milliseconds(200))
        #expect(configuration.processingRetry.multiplier == 2)
        #expect(configuration.processingRetry.maximumDelay == .seconds(30))
        #expect(configuration.processingRetry.jitter == 0.2)
        #expect(configuration.logLevel == .info)
        #expect(configuration.logFormat == .text)
        #expect(configuration.shutdownTimeout == .seconds(30))
        #expect(configuration.deadLetterEnabled)
        #expect(configuration.deadLetterTopic == "user-activity-events.dlq")
        #expect(!configuration.readFromBeginning)
        #expect(configuration.customKafkaProperties.isEmpty)
    }

    @Test("every variable is read")
    func everyVariable() throws {
        let configuration = try ServiceConfiguration.load(onlyFrom: [
            "KAFKA_BROKERS": "kafka-1:9092,kafka-2:9092",
            "KAFKA_TOPIC": "clicks",
            "KAFKA_GROUP_ID": "clickers",
            "AUTO_OFFSET_RESET": "latest",
            "ENABLE_AUTO_COMMIT": "false",
            "MAX_RETRIES": "7",
            "RETRY_DELAY": "2.5",
            "ENVIRONMENT": "production",
            "PROCESSING_MAX_ATTEMPTS": "4",
            "PROCESSING_BACKOFF_BASE": "500ms",
            "PROCESSING_BACKOFF_MULTIPLIER": "3",
            "PROCESSING_BACKOFF_MAX": "1m",
            "PROCESSING_BACKOFF_JITTER": "0",
            "LOG_LEVEL": "warning",
            "LOG_FORMAT": "text",
            "LOG_BUFFER_SIZE": "4MiB",
            "SHUTDOWN_TIMEOUT": "45s",
            "DLQ_ENABLED": "no",
            "DLQ_TOPIC": "clicks-dead",
        ])
        #expect(configuration.brokers == "kafka-1:9092,kafka-2:9092")
        #expect(configuration.topic == "clicks")
        #expect(configuration.groupID == "clickers")
        #expect(configuration.autoOffsetReset == .latest)
        #expect(!configuration.enableAutoCommit)
        #expect(configuration.connectRetry == ConnectRetryPolicy(maxAttempts: 7, delay: .milliseconds(2500)))
        #expect(configuration.environment == .production)
        #expect(
            configuration.processingRetry
                == BackoffPolicy(
                    maxAttempts: 4,
                    baseDelay: .milliseconds(500),
                    multiplier: 3,
                    maximumDelay: .seconds(60),
                    jitter: 0
                )
        )
        #expect(configuration.logLevel == .warning)
        #expect(configuration.logFormat == .text)  // explicit text wins over production's json default
        #expect(configuration.logBufferSize == 4 << 20)
        #expect(configuration.shutdownTimeout == .seconds(45))
        #expect(!configuration.deadLetterEnabled)
        #expect(configuration.deadLetterTopic == "clicks-dead")
    }

    @Test("LOG_BUFFER_SIZE: bytes, KiB or MiB (any case); 0 means unbuffered; default 1 MiB")
    func logBufferSize() throws {
        #expect(try ServiceConfiguration.load(onlyFrom: [:]).logBufferSize == 1 << 20)
        #expect(try ServiceConfiguration.load(onlyFrom: ["LOG_BUFFER_SIZE": "65536"]).logBufferSize == 65536)
        #expect(try ServiceConfiguration.load(onlyFrom: ["LOG_BUFFER_SIZE": "512KiB"]).logBufferSize == 512 << 10)
        #expect(try ServiceConfiguration.load(onlyFrom: ["LOG_BUFFER_SIZE": "64mib"]).logBufferSize == 64 << 20)
        #expect(try ServiceConfiguration.load(onlyFrom: ["LOG_BUFFER_SIZE": "0"]).logBufferSize == 0)
        #expect(try ServiceConfiguration.load(onlyFrom: ["LOG_BUFFER_SIZE": "1024MiB"]).logBufferSize == 1 << 30)
    }

    @Test("the log format defaults to json in production and text in development")
    func logFormatFollowsEnvironment() throws {
        #expect(try ServiceConfiguration.load(onlyFrom: ["ENVIRONMENT": "production"]).logFormat == .json)
        #expect(try ServiceConfiguration.load(onlyFrom: ["ENVIRONMENT": "development"]).logFormat == .text)
        #expect(try ServiceConfiguration.load(onlyFrom: ["ENVIRONMENT": "Production", "LOG_FORMAT": "JSON"]).logFormat == .json)
    }

    @Test("the dead-letter topic follows the consumed topic, also when the topic comes from a flag")
    func deadLetterTopicDefault() throws {
        #expect(try ServiceConfiguration.load(onlyFrom: ["KAFKA_TOPIC": "orders"]).deadLetterTopic == "orders.dlq")
        let fromFlag = try ServiceConfiguration.load(onlyFrom: ["KAFKA_TOPIC": "orders"], commandLine: .init(topic: "payments"))
        #expect(fromFlag.deadLetterTopic == "payments.dlq")
    }

    @Test(
        "librdkafka's auto.offset.reset aliases are folded onto three behaviours",
        arguments: [
            ("earliest", AutoOffsetReset.earliest), ("smallest", .earliest), ("beginning", .earliest),
            ("latest", .latest), ("largest", .latest), ("end", .latest), ("error", .error), ("LATEST", .latest),
        ]
    )
    func autoOffsetResetAliases(text: String, expected: AutoOffsetReset) throws {
        #expect(try ServiceConfiguration.load(onlyFrom: ["AUTO_OFFSET_RESET": text]).autoOffsetReset == expected)
    }

    @Test("booleans accept true/false, 1/0, yes/no in any case", arguments: [
        ("true", true), ("TRUE", true), ("1", true), ("yes", true), ("false", false), ("False", false), ("0", false),
        ("no", false),
    ])
    func booleans(text: String, expected: Bool) throws {
        #expect(try ServiceConfiguration.load(onlyFrom: ["ENABLE_AUTO_COMMIT": text]).enableAutoCommit == expected)
    }

    @Test("durations accept plain and fractional seconds and ms/s/m suffixes", arguments: [
        ("10", Duration.seconds(10)), ("0.5", .milliseconds(500)), ("500ms", .milliseconds(500)),
        ("10s", .seconds(10)), ("2m", .seconds(120)), ("0", .zero), (" 3 ", .seconds(3)),
    ])
    func durations(text: String, expected: Duration) throws {
        #expect(try ServiceConfiguration.load(onlyFrom: ["RETRY_DELAY": text]).connectRetry.delay == expected)
    }

    @Test("every log level is accepted, case-insensitively")
    func logLevels() throws {
        for level in Logger.Level.allCases {
            #expect(try ServiceConfiguration.load(onlyFrom: ["LOG_LEVEL": level.rawValue.uppercased()]).logLevel == level)
        }
    }

    @Test("an empty variable counts as unset")
    func emptyMeansUnset() throws {
        let configuration = try ServiceConfiguration.load(onlyFrom: ["LOG_LEVEL": "", "KAFKA_BROKERS": "  ", "MAX_RETRIES": ""])
        #expect(configuration.logLevel == .info)
        #expect(configuration.brokers == "localhost:9092")
        #expect(configuration.connectRetry.maxAttempts == 5)
    }

    @Test("an empty environment variable does not hide the .env file's value")
    func emptyFallsThroughToEnvironmentFile() throws {
        let configuration = try ServiceConfiguration.load(
            commandLine: CommandLineOverrides(),
            environment: ["LOG_LEVEL": "", "KAFKA_CFG_CLIENT_ID": ""],
            environmentFile: DotEnvFile(variables: ["LOG_LEVEL": "debug", "KAFKA_CFG_CLIENT_ID": "from-file"])
        )
        #expect(configuration.logLevel == .debug)
        #expect(configuration.customKafkaProperties == ["client.id": "from-file"])
    }

    @Test("flags win over the environment, which wins over .env, which wins over the defaults")
    func precedence() throws {
        let directory = try ConfigurationTestDirectory()
        let path = try directory.write(
            """
            # settings for local runs
            KAFKA_BROKERS=dotenv:9092
            KAFKA_TOPIC=dotenv-topic
            KAFKA_GROUP_ID=dotenv-group
            LOG_LEVEL=debug
            MAX_RETRIES=9
            KAFKA_CFG_FETCH_WAIT_MAX_MS=11
            KAFKA_CFG_CLIENT_ID=from-dotenv
            """,
            to: ".env"
        )
        let configuration = try ServiceConfiguration.load(
            commandLine: CommandLineOverrides(
                brokers: "flag:9092",
                readFromBeginning: true,
                kafkaProperties: ["client.id=from-flag"]
            ),
            environment: [
                "KAFKA_BROKERS": "env:9092",
                "KAFKA_TOPIC": "env-topic",
                "LOG_LEVEL": "error",
                "KAFKA_CFG_FETCH_WAIT_MAX_MS": "22",
                "KAFKA_CFG_CLIENT_ID": "from-env",
            ],
            environmentFilePath: path
        )
        #expect(configuration.brokers == "flag:9092")  // flag > env > .env
        #expect(configuration.topic == "env-topic")  // env > .env
        #expect(configuration.groupID == "dotenv-group")  // .env > default
        #expect(configuration.logLevel == .error)
        #expect(configuration.connectRetry.maxAttempts == 9)
        #expect(configuration.shutdownTimeout == .seconds(30))  // default
        #expect(configuration.readFromBeginning)
        #expect(configuration.customKafkaProperties == ["fetch.wait.max.ms": "22", "client.id": "from-flag"])
    }

    @Test("a missing .env file is not an error")
    func missingEnvironmentFile() throws {
        let directory = try ConfigurationTestDirectory()
        let configuration = try ServiceConfiguration.load(
            environment: [:],
            environmentFilePath: directory.url.appendingPathComponent(".env").path
        )
        #expect(configuration == .defaults)
    }

    @Test("kafkaConfiguration carries the consumer basics, and custom properties win over the service's defaults")
    func kafkaConfiguration() throws {
        let configuration = try ServiceConfiguration.load(onlyFrom: [
            "KAFKA_BROKERS": "b:1",
            "KAFKA_GROUP_ID": "g",
            "AUTO_OFFSET_RESET": "smallest",
            "ENABLE_AUTO_COMMIT": "0",
            "KAFKA_CFG_SESSION_TIMEOUT_MS": "6000",
            "KAFKA_CFG_FETCH_MAX_BYTES": "1048576",
        ])
        #expect(
            configuration.kafkaConfiguration.properties == [
                "bootstrap.servers": "b:1",
                "group.id": "g",
                "auto.offset.reset": "earliest",
                "enable.auto.commit": "false",
                "session.timeout.ms": "6000",
                // The service's prefetch defaults, the second overridden by the user.
                "queued.max.messages.kbytes": "8192",
                "fetch.max.bytes": "1048576",
                "fetch.wait.max.ms": "25",
            ]
        )
        try configuration.kafkaConfiguration.validate()
    }

    @Test("the logged configuration redacts secrets")
    func redactedDescription() throws {
        let configuration = try ServiceConfiguration.load(onlyFrom: [
            "KAFKA_CFG_SASL_PASSWORD": "hunter2",
            "KAFKA_CFG_SASL_USERNAME": "svc",
        ])
        #expect(!configuration.description.contains("hunter2"))
        #expect(configuration.description.contains("svc"))
        guard case .dictionary(let properties) = configuration.logMetadata["kafka_properties"] else {
            Issue.record("kafka_properties missing from \(configuration.logMetadata)")
            return
        }
        #expect(properties["sasl.password"] == "*****")
        #expect(properties["sasl.username"] == "svc")
        #expect(configuration.logMetadata["kafka_topic"] == "user-activity-events")
    }
}

/// A directory under the system's temporary directory, removed when the value goes away.
final class ConfigurationTestDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("config-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Writes `contents` to `name` in the directory and returns the file's path.
    func write(_ contents: String, to name: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try Data(contents.utf8).write(to: file)
        return file.path
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}
