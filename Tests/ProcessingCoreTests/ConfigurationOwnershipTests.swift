import Testing

@testable import ProcessingCore

/// Issue 11, items 6, 7 and 9, at the loader: owned librdkafka properties, the broker list, and the
/// start-up attempt timeout.
@Suite("ServiceConfiguration: owned properties, broker list, connect timeout")
struct ConfigurationOwnershipTests {
    @Test(
        "every owned property is refused from KAFKA_CFG_* and --kafka-property, and its value is not shown",
        arguments: Array(FirstClassKafkaProperty.owners.keys.sorted())
    )
    func ownedPropertiesRefused(property: String) {
        let variable = KafkaPropertyVariable.variableName(forProperty: property)
        let fromVariable = ConfigurationErrorTests.issues([variable: "secret-value"])
        #expect(fromVariable.count == 1)
        #expect(fromVariable.first?.hasPrefix("\(variable): \(property) is ") == true, "\(fromVariable)")
        #expect(fromVariable.first?.contains("secret-value") == false)
        let fromFlag = ConfigurationErrorTests.issues([:], commandLine: CommandLineOverrides(kafkaProperties: ["\(property)=secret-value"]))
        #expect(fromFlag.first?.hasPrefix("--kafka-property: \(property) is ") == true, "\(fromFlag)")
        #expect(fromFlag.first?.contains("secret-value") == false)
    }

    @Test("the owner is named: the variable and its flag, or the service")
    func ownersNamed() {
        #expect(ConfigurationErrorTests.issues(["KAFKA_CFG_GROUP_ID": "g"]) == [
            "KAFKA_CFG_GROUP_ID: group.id is owned by KAFKA_GROUP_ID (or --group-id): set KAFKA_GROUP_ID instead of "
                + "KAFKA_CFG_GROUP_ID (setting both would be ambiguous)"
        ])
        #expect(ConfigurationErrorTests.issues(["KAFKA_CFG_ENABLE_AUTO_OFFSET_STORE": "true"]) == [
            "KAFKA_CFG_ENABLE_AUTO_OFFSET_STORE: enable.auto.offset.store is set by the service to false (an offset is "
                + "stored only once its event is finished (at-least-once delivery)) and cannot be changed; remove "
                + "KAFKA_CFG_ENABLE_AUTO_OFFSET_STORE"
        ])
    }

    @Test("free properties still pass through; the fields own the consumer basics")
    func freePropertiesPassThrough() throws {
        let configuration = try ServiceConfiguration.load(onlyFrom: [
            "KAFKA_GROUP_ID": "g", "ENABLE_AUTO_COMMIT": "false",
            "KAFKA_CFG_AUTO_COMMIT_INTERVAL_MS": "1000", "KAFKA_CFG_CLIENT_ID": "svc",
        ])
        #expect(configuration.customKafkaProperties == ["auto.commit.interval.ms": "1000", "client.id": "svc"])
        #expect(configuration.kafkaConfiguration["group.id"] == "g")
        #expect(configuration.kafkaConfiguration["enable.auto.commit"] == "false")
        // A hand-built configuration with a custom property for an owned one: the field still wins,
        // because the commit timer, the start-up line and the dead-letter headers all read the field.
        var handBuilt = configuration
        handBuilt.customKafkaProperties["group.id"] = "other"
        #expect(handBuilt.kafkaConfiguration["group.id"] == "g")
    }

    @Test("auto.commit.interval.ms=0 (commits off) is refused", arguments: ["0", "-1"])
    func zeroCommitInterval(value: String) {
        let issues = ConfigurationErrorTests.issues(["KAFKA_CFG_AUTO_COMMIT_INTERVAL_MS": value])
        #expect(issues.count == 1)
        #expect(issues.first?.hasPrefix("KAFKA_CFG_AUTO_COMMIT_INTERVAL_MS: auto.commit.interval.ms=\(value) turns periodic commits off") == true, "\(issues)")
    }

    @Test(
        "valid broker lists are accepted, each entry trimmed",
        arguments: [
            ("localhost:9092", "localhost:9092"), (" a:1 , b.example.com:65535 ", "a:1,b.example.com:65535"),
            ("[::1]:9092,10.0.0.1:9093", "[::1]:9092,10.0.0.1:9093"), ("kafka_1:29092", "kafka_1:29092"),
        ]
    )
    func validBrokers(text: String, expected: String) throws {
        #expect(try ServiceConfiguration.load(onlyFrom: ["KAFKA_BROKERS": text]).brokers == expected)
    }

    @Test(
        "invalid broker entries are reported by position, never echoed",
        arguments: [
            (",,,", "KAFKA_BROKERS: contains no broker"),
            ("a:1,,b:2", "KAFKA_BROKERS: entry 2 of 3 is empty"),
            ("user:pa55word@kafka:9092", "KAFKA_BROKERS: the entry contains '@'"),
            ("kafka", "KAFKA_BROKERS: the entry has no port"),
            ("kafka:x1", "KAFKA_BROKERS: the entry has no valid port"),
            ("kafka:65536", "KAFKA_BROKERS: the entry has no valid port"),
            (":9092", "KAFKA_BROKERS: the entry has no host"),
            ("user:pa55word:9092", "KAFKA_BROKERS: the entry has more than one ':'"),
            ("SASL_SSL://kafka:9092", "KAFKA_BROKERS: the entry is a URL or path"),
            ("ka fka:9092", "KAFKA_BROKERS: the entry has a host with characters"),
            ("[::1:9092", "KAFKA_BROKERS: the entry has an unclosed '['"),
            ("[zz]:9092", "KAFKA_BROKERS: the entry has an invalid IPv6 address"),
        ]
    )
    func invalidBrokers(text: String, expectedPrefix: String) {
        let issues = ConfigurationErrorTests.issues(["KAFKA_BROKERS": text])
        #expect(issues.count == 1, "\(issues)")
        #expect(issues.first?.hasPrefix(expectedPrefix) == true, "\(issues)")
        #expect(issues.first?.contains("pa55word") == false)
    }

    @Test("--brokers problems name the flag")
    func brokersFlag() {
        let issues = ConfigurationErrorTests.issues([:], commandLine: CommandLineOverrides(brokers: "a:1,b"))
        #expect(issues.first?.hasPrefix("--brokers: entry 2 of 2 has no port") == true, "\(issues)")
    }

    @Test("CONNECT_TIMEOUT sets how long each start-up attempt waits; the worst case is stated")
    func connectTimeout() throws {
        #expect(try ServiceConfiguration.load(onlyFrom: [:]).connectRetry.attemptTimeout == .seconds(10))
        #expect(ServiceConfiguration.defaults.connectRetry.worstCaseDuration == .seconds(90))
        let configuration = try ServiceConfiguration.load(onlyFrom: ["CONNECT_TIMEOUT": "2500ms", "MAX_RETRIES": "3", "RETRY_DELAY": "1"])
        #expect(configuration.connectRetry == ConnectRetryPolicy(maxAttempts: 3, delay: .seconds(1), attemptTimeout: .milliseconds(2500)))
        #expect(configuration.connectRetry.worstCaseDuration == .milliseconds(9500))
        #expect(configuration.logMetadata["connect_timeout_seconds"]?.description == "2.5")
        #expect(ConfigurationErrorTests.issues(["CONNECT_TIMEOUT": "0"]) == [
            #"CONNECT_TIMEOUT: "0" must be greater than zero (e.g. 10 or 500ms)"#
        ])
    }
}
