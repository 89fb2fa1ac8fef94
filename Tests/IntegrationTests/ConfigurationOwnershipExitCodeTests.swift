import Foundation
import Testing

/// Issue 11, items 6 and 7, with the built binary: a `KAFKA_CFG_*` variable (or `--kafka-property`) that
/// sets what a first-class variable or the service owns, and a broker list that is not `host:port`
/// entries, stop the service before it connects, with exit 64 and one line naming the variables. Before,
/// each of these ran (exit 0 once stopped) with a silently different configuration.
@Suite("processing-service: owned librdkafka properties and bad broker lists exit 64")
struct ConfigurationOwnershipExitCodeTests {
    @Test(
        "a KAFKA_CFG_* for an owned property is refused, naming both variables",
        arguments: [
            ("KAFKA_CFG_BOOTSTRAP_SERVERS", "other:9092", "bootstrap.servers is owned by KAFKA_BROKERS (or --brokers): set KAFKA_BROKERS instead of KAFKA_CFG_BOOTSTRAP_SERVERS"),
            ("KAFKA_CFG_METADATA_BROKER_LIST", "other:9092", "metadata.broker.list is owned by KAFKA_BROKERS (or --brokers): set KAFKA_BROKERS instead of KAFKA_CFG_METADATA_BROKER_LIST"),
            ("KAFKA_CFG_GROUP_ID", "other-group", "group.id is owned by KAFKA_GROUP_ID (or --group-id): set KAFKA_GROUP_ID instead of KAFKA_CFG_GROUP_ID"),
            ("KAFKA_CFG_ENABLE_AUTO_COMMIT", "false", "enable.auto.commit is owned by ENABLE_AUTO_COMMIT: set ENABLE_AUTO_COMMIT instead of KAFKA_CFG_ENABLE_AUTO_COMMIT"),
            ("KAFKA_CFG_AUTO_COMMIT_ENABLE", "false", "auto.commit.enable is owned by ENABLE_AUTO_COMMIT: set ENABLE_AUTO_COMMIT instead of KAFKA_CFG_AUTO_COMMIT_ENABLE"),
            ("KAFKA_CFG_AUTO_OFFSET_RESET", "latest", "auto.offset.reset is owned by AUTO_OFFSET_RESET: set AUTO_OFFSET_RESET instead of KAFKA_CFG_AUTO_OFFSET_RESET"),
        ]
    )
    func ownedByVariable(variable: String, value: String, expected: String) async throws {
        let outcome = try await ConfigurationExitCodeTests.run([], environment: [variable: value])
        #expect(outcome.status == 64)
        #expect(outcome.standardError == "configuration error: \(variable): \(expected) (setting both would be ambiguous)\n")
        #expect(!outcome.standardError.contains("=\(value)"), "the value is not echoed")
        #expect(outcome.standardOutput.isEmpty)
    }

    @Test(
        "a property the service sets for its delivery guarantees cannot be overridden",
        arguments: ["KAFKA_CFG_ENABLE_AUTO_OFFSET_STORE", "KAFKA_CFG_OFFSET_STORE_METHOD"]
    )
    func ownedByService(variable: String) async throws {
        let value = variable == "KAFKA_CFG_OFFSET_STORE_METHOD" ? "file" : "true"
        let outcome = try await ConfigurationExitCodeTests.run([], environment: [variable: value])
        #expect(outcome.status == 64)
        #expect(outcome.standardError.hasPrefix("configuration error: \(variable): "))
        #expect(outcome.standardError.contains("is set by the service"))
        #expect(outcome.standardError.contains("remove \(variable)"))
    }

    @Test("--kafka-property group.id=… names the flag and the variable that owns the property")
    func ownedPropertyFromFlag() async throws {
        let outcome = try await ConfigurationExitCodeTests.run(["--kafka-property", "group.id=other"], environment: [:])
        #expect(outcome.status == 64)
        #expect(
            outcome.standardError
                == "configuration error: --kafka-property: group.id is owned by KAFKA_GROUP_ID (or --group-id): "
                + "set KAFKA_GROUP_ID instead of --kafka-property (setting both would be ambiguous)\n"
        )
    }

    @Test("KAFKA_CFG_AUTO_COMMIT_INTERVAL_MS=0 would turn periodic commits off: refused")
    func zeroCommitInterval() async throws {
        let outcome = try await ConfigurationExitCodeTests.run([], environment: ["KAFKA_CFG_AUTO_COMMIT_INTERVAL_MS": "0"])
        #expect(outcome.status == 64)
        #expect(outcome.standardError.hasPrefix("configuration error: KAFKA_CFG_AUTO_COMMIT_INTERVAL_MS: "))
    }

    @Test("KAFKA_BROKERS=,,, is not a broker list")
    func emptyBrokerList() async throws {
        let outcome = try await ConfigurationExitCodeTests.run([], environment: ["KAFKA_BROKERS": ",,,"])
        #expect(outcome.status == 64)
        #expect(
            outcome.standardError
                == "configuration error: KAFKA_BROKERS: contains no broker (expected comma-separated host:port, e.g. kafka-1:9092,kafka-2:9092)\n"
        )
    }

    @Test("credentials in KAFKA_BROKERS or --brokers are refused and never echoed", arguments: [false, true])
    func credentialsInBrokers(asFlag: Bool) async throws {
        let brokers = "good:9092,svc-user:hunter2@kafka:9092"
        let outcome = asFlag
            ? try await ConfigurationExitCodeTests.run(["--brokers", brokers], environment: [:])
            : try await ConfigurationExitCodeTests.run([], environment: ["KAFKA_BROKERS": brokers])
        #expect(outcome.status == 64)
        let setting = asFlag ? "--brokers" : "KAFKA_BROKERS"
        #expect(outcome.standardError.hasPrefix("configuration error: \(setting): entry 2 of 2 contains '@'"))
        #expect(!outcome.standardError.contains("hunter2"))
        #expect(!outcome.standardError.contains("svc-user"))
        #expect(outcome.standardOutput.isEmpty)
    }

    @Test("a broker entry without a port is reported by position", arguments: ["kafka", "kafka:", "kafka:0", "kafka:99999", "PLAINTEXT://kafka:9092"])
    func entryWithoutValidPort(entry: String) async throws {
        let outcome = try await ConfigurationExitCodeTests.run([], environment: ["KAFKA_BROKERS": entry])
        #expect(outcome.status == 64)
        #expect(outcome.standardError.hasPrefix("configuration error: KAFKA_BROKERS: the entry "), "\(outcome.standardError)")
        #expect(outcome.standardError.split(separator: "\n").count == 1)
    }
}
