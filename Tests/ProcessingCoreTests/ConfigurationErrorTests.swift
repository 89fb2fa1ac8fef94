import Testing

@testable import ProcessingCore

@Suite("ServiceConfiguration: invalid values are one clear line each")
struct ConfigurationErrorTests {
    /// The issues loading reports for `environment` (and `commandLine`); fails the test if it loads.
    static func issues(
        _ environment: [String: String],
        commandLine: CommandLineOverrides = .init(),
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> [String] {
        do {
            let configuration = try ServiceConfiguration.load(
                commandLine: commandLine,
                environment: environment,
                environmentFilePath: nil
            )
            Issue.record("expected a ConfigurationError, loaded \(configuration)", sourceLocation: sourceLocation)
            return []
        } catch {
            #expect(!error.description.isEmpty, sourceLocation: sourceLocation)
            #expect(error.description == error.issues.map(\.description).joined(separator: "\n"))
            return error.issues.map(\.description)
        }
    }

    @Test("each invalid value names its variable and what is accepted", arguments: [
        ("LOG_FORMAT", "yaml", #"LOG_FORMAT: "yaml" is not one of json, text"#),
        ("LOG_LEVEL", "verbose", #"LOG_LEVEL: "verbose" is not one of trace, debug, info, notice, warning, error, critical"#),
        ("ENVIRONMENT", "staging", #"ENVIRONMENT: "staging" is not one of development, production"#),
        (
            "AUTO_OFFSET_RESET", "oldest",
            #"AUTO_OFFSET_RESET: "oldest" is not one of earliest, latest, error (or the librdkafka aliases smallest, beginning, largest, end)"#
        ),
        ("ENABLE_AUTO_COMMIT", "maybe", #"ENABLE_AUTO_COMMIT: "maybe" is not a boolean (true, false, 1, 0, yes, no)"#),
        ("DLQ_ENABLED", "on", #"DLQ_ENABLED: "on" is not a boolean (true, false, 1, 0, yes, no)"#),
        ("MAX_RETRIES", "five", #"MAX_RETRIES: "five" is not a whole number (expected an integer ≥ 1)"#),
        ("MAX_RETRIES", "2.5", #"MAX_RETRIES: "2.5" is not a whole number (expected an integer ≥ 1)"#),
        ("MAX_RETRIES", "0", "MAX_RETRIES: 0 is too small (expected an integer ≥ 1)"),
        ("PROCESSING_MAX_ATTEMPTS", "-1", "PROCESSING_MAX_ATTEMPTS: -1 is too small (expected an integer ≥ 1)"),
        (
            "RETRY_DELAY", "soon",
            #"RETRY_DELAY: "soon" is not a duration (seconds such as 10 or 0.5, or a number with ms, s or m, such as 500ms)"#
        ),
        ("RETRY_DELAY", "-1", #"RETRY_DELAY: "-1" is negative (expected a duration ≥ 0, e.g. 10 or 500ms)"#),
        ("PROCESSING_BACKOFF_BASE", "-200ms", #"PROCESSING_BACKOFF_BASE: "-200ms" is negative (expected a duration ≥ 0, e.g. 10 or 500ms)"#),
        ("RETRY_DELAY", "1e12", #"RETRY_DELAY: "1e12" is too large (at most 1000000000 seconds)"#),
        ("SHUTDOWN_TIMEOUT", "0", #"SHUTDOWN_TIMEOUT: "0" must be greater than zero (e.g. 10 or 500ms)"#),
        ("SHUTDOWN_TIMEOUT", "nan", #"SHUTDOWN_TIMEOUT: "nan" is not a duration (seconds such as 10 or 0.5, or a number with ms, s or m, such as 500ms)"#),
        ("PROCESSING_BACKOFF_MULTIPLIER", "x2", #"PROCESSING_BACKOFF_MULTIPLIER: "x2" is not a number (expected a number ≥ 1)"#),
        ("PROCESSING_BACKOFF_MULTIPLIER", "0.5", "PROCESSING_BACKOFF_MULTIPLIER: 0.5 is out of range (expected a number ≥ 1)"),
        ("PROCESSING_BACKOFF_JITTER", "1.5", "PROCESSING_BACKOFF_JITTER: 1.5 is out of range (expected a number from 0 to 1)"),
        ("PROCESSING_BACKOFF_JITTER", "inf", #"PROCESSING_BACKOFF_JITTER: "inf" is not a number (expected a number from 0 to 1)"#),
        (
            "KAFKA_TOPIC", "user events",
            #"KAFKA_TOPIC: "user events" is not a valid topic name (1–249 letters, digits, '.', '_' or '-')"#
        ),
        ("DLQ_TOPIC", "user-activity-events", #"DLQ_TOPIC: "user-activity-events" must differ from the consumed topic (KAFKA_TOPIC)"#),
        (
            "LOG_BUFFER_SIZE", "1MB",
            #"LOG_BUFFER_SIZE: "1MB" is not a size (bytes such as 65536, or a whole number with KiB or MiB, such as 512KiB or 4MiB)"#
        ),
        (
            "LOG_BUFFER_SIZE", "1.5MiB",
            #"LOG_BUFFER_SIZE: "1.5MiB" is not a size (bytes such as 65536, or a whole number with KiB or MiB, such as 512KiB or 4MiB)"#
        ),
        ("LOG_BUFFER_SIZE", "-1", #"LOG_BUFFER_SIZE: "-1" is out of range (expected a size from 0 to 1024MiB)"#),
        ("LOG_BUFFER_SIZE", "2048MiB", #"LOG_BUFFER_SIZE: "2048MiB" is out of range (expected a size from 0 to 1024MiB)"#),
    ])
    func singleInvalidValue(variable: String, value: String, expected: String) {
        #expect(Self.issues([variable: value]) == [expected])
    }

    @Test("a derived dead-letter topic name must be valid too; a bad topic is reported once")
    func derivedDeadLetterTopic() {
        let longTopic = String(repeating: "t", count: 247)
        #expect(Self.issues(["KAFKA_TOPIC": longTopic]) == [
            "DLQ_TOPIC: \"\(longTopic).dlq\" is not a valid topic name (1–249 letters, digits, '.', '_' or '-')"
        ])
        #expect(Self.issues(["KAFKA_TOPIC": "a/b"]).count == 1)
    }

    @Test("a backoff cap below its base is reported on the cap")
    func capBelowBase() {
        #expect(
            Self.issues(["PROCESSING_BACKOFF_BASE": "2", "PROCESSING_BACKOFF_MAX": "1"]) == [
                "PROCESSING_BACKOFF_MAX: 1.0s is less than PROCESSING_BACKOFF_BASE (2.0s); the cap must be ≥ the first delay"
            ]
        )
    }

    @Test("every problem is reported, one line each, in reading order")
    func allProblemsCollected() {
        let issues = Self.issues([
            "LOG_FORMAT": "yaml",
            "MAX_RETRIES": "x",
            "RETRY_DELAY": "-3",
            "KAFKA_CFG_NO_SUCH_THING": "1",
        ])
        #expect(issues.count == 4)
        #expect(issues.allSatisfy { !$0.contains("\n") })
        #expect(issues.map { String($0.prefix { $0 != ":" }) } == [
            "MAX_RETRIES", "RETRY_DELAY", "LOG_FORMAT", "KAFKA_CFG_NO_SUCH_THING",
        ])
    }

    @Test("problems in values given by flags name the flag")
    func flagsNamed() {
        let issues = Self.issues(
            ["KAFKA_TOPIC": "fine"],
            commandLine: CommandLineOverrides(brokers: "", topic: "bad topic!", kafkaProperties: ["no-equals-sign"])
        )
        #expect(issues == [
            "--brokers: must not be empty",
            #"--topic: "bad topic!" is not a valid topic name (1–249 letters, digits, '.', '_' or '-')"#,
            #"--kafka-property: "no-equals-sign" is not name=value (e.g. --kafka-property fetch.wait.max.ms=50)"#,
        ])
    }

    @Test("malformed .env lines are reported with their line numbers")
    func malformedEnvironmentFile() throws {
        let directory = try ConfigurationTestDirectory()
        let path = try directory.write("LOG_LEVEL=debug\nthis is not a setting\n\nBAD NAME=1\n", to: ".env")
        do {
            _ = try ServiceConfiguration.load(environment: [:], environmentFilePath: path)
            Issue.record("expected a ConfigurationError")
        } catch {
            #expect(error.issues.map(\.description) == [
                "\(path) line 2: expected NAME=value",
                "\(path) line 4: expected NAME=value with NAME made of letters, digits and underscores",
            ])
        }
    }
}
