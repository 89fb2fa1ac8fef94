import Kafka
import Testing

@testable import ProcessingCore

@Suite("ServiceConfiguration: librdkafka properties from KAFKA_CFG_* and --kafka-property")
struct ConfigurationKafkaPropertyTests {
    @Test("variable names map to property names", arguments: [
        ("KAFKA_CFG_AUTO_COMMIT_INTERVAL_MS", "auto.commit.interval.ms"),
        ("KAFKA_CFG_SASL_MECHANISMS", "sasl.mechanisms"),
        ("KAFKA_CFG_SECURITY_PROTOCOL", "security.protocol"),
        ("KAFKA_CFG_LOG_LEVEL", "log_level"),  // one of librdkafka's two string properties with an underscore
        ("KAFKA_CFG_ENABLED_EVENTS", "enabled_events"),
    ])
    func variableToProperty(variable: String, property: String) {
        #expect(KafkaPropertyVariable.propertyName(forVariable: variable) == property)
    }

    @Test("other variables are not properties")
    func notProperties() {
        #expect(KafkaPropertyVariable.propertyName(forVariable: "KAFKA_CFG_") == nil)
        #expect(KafkaPropertyVariable.propertyName(forVariable: "KAFKA_BROKERS") == nil)
        #expect(KafkaPropertyVariable.propertyName(forVariable: "LOG_LEVEL") == nil)
    }

    @Test("property names map back to variable names")
    func propertyToVariable() {
        #expect(KafkaPropertyVariable.variableName(forProperty: "fetch.wait.max.ms") == "KAFKA_CFG_FETCH_WAIT_MAX_MS")
    }

    @Test("KAFKA_CFG_* variables become custom properties, checked by librdkafka")
    func passedThrough() throws {
        let configuration = try ServiceConfiguration.load(
            environment: [
                "KAFKA_CFG_AUTO_COMMIT_INTERVAL_MS": "100",
                "KAFKA_CFG_LOG_LEVEL": "3",
                "KAFKA_CFG_PARTITION_ASSIGNMENT_STRATEGY": "cooperative-sticky",
                "UNRELATED": "x",
            ],
            environmentFilePath: nil
        )
        #expect(
            configuration.customKafkaProperties == [
                "auto.commit.interval.ms": "100",
                "log_level": "3",
                "partition.assignment.strategy": "cooperative-sticky",
            ]
        )
        #expect(configuration.kafkaConfiguration["auto.commit.interval.ms"] == "100")
    }

    @Test("--kafka-property takes exact names, keeps '=' in values, and wins over the variables")
    func flags() throws {
        let configuration = try ServiceConfiguration.load(
            commandLine: CommandLineOverrides(kafkaProperties: [
                "client.id=a=b", "fetch.wait.max.ms=10", "fetch.wait.max.ms=20",
            ]),
            environment: ["KAFKA_CFG_FETCH_WAIT_MAX_MS": "5"],
            environmentFilePath: nil
        )
        #expect(configuration.customKafkaProperties == ["client.id": "a=b", "fetch.wait.max.ms": "20"])
    }

    @Test("unknown properties and bad values are rejected, naming the variable or flag")
    func rejected() {
        do {
            _ = try ServiceConfiguration.load(
                commandLine: CommandLineOverrides(kafkaProperties: ["other.unknown=2"]),
                environment: [
                    "KAFKA_CFG_NO_SUCH_PROPERTY": "1",
                    "KAFKA_CFG_SESSION_TIMEOUT_MS": "soon",
                ],
                environmentFilePath: nil
            )
            Issue.record("expected a ConfigurationError")
        } catch {
            let lines = error.issues.map(\.description)
            #expect(lines.count == 3)
            #expect(lines.contains(
                #"KAFKA_CFG_NO_SUCH_PROPERTY: librdkafka rejects no.such.property="1": No such configuration property: "no.such.property""#
            ))
            #expect(lines.contains(
                #"--kafka-property: librdkafka rejects other.unknown="2": No such configuration property: "other.unknown""#
            ))
            #expect(lines.contains { $0.hasPrefix(#"KAFKA_CFG_SESSION_TIMEOUT_MS: librdkafka rejects session.timeout.ms="soon": "#) })
        }
    }

    @Test("a rejected secret's value is never printed")
    func rejectedSecretHidden() {
        do {
            _ = try ServiceConfiguration.load(
                environment: ["KAFKA_CFG_SSL_KEY_PASSWORD_TYPO": "hunter2"],
                environmentFilePath: nil
            )
            Issue.record("expected a ConfigurationError")
        } catch {
            #expect(!error.description.contains("hunter2"))
            #expect(error.description.hasPrefix("KAFKA_CFG_SSL_KEY_PASSWORD_TYPO: librdkafka rejects ssl.key.password.typo=*****"))
        }
    }
}
