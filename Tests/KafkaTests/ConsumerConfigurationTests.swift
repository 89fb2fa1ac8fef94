import CRdKafka
import Logging
import Testing

@testable import Kafka

/// Creating consumers: configuration validation, the settings the consumer forces or defaults, error
/// mapping and log-level mapping. None of these connect anywhere (no `bootstrap.servers`).
@Suite struct ConsumerConfigurationTests {
    private let options = KafkaConsumer.Options(topics: ["events"])

    @Test(arguments: [
        ["group.id": "g", "no.such.property": "1"],
        ["group.id": "g", "session.timeout.ms": "not-a-number"],
        ["group.id": "g", "enable.auto.commit": "maybe"],
        ["group.id": "g", "partition.assignment.strategy": "no-such-assignor"],
        ["bootstrap.servers": "127.0.0.1:9092"],
    ])
    func invalidConfigurationIsAConfigurationError(properties: [String: String]) {
        #expect {
            _ = try KafkaConsumer(
                configuration: KafkaConfiguration(properties), options: options,
                delegate: ConsumerTestDelegate(), logger: Logger(label: "test"))
        } throws: { error in
            (error as? KafkaError)?.kind == .configuration
        }
    }

    @Test func invalidOptionsAreConfigurationErrors() {
        for options in [KafkaConsumer.Options(topics: []), KafkaConsumer.Options(topics: ["t"], maxBatchSize: 0)] {
            #expect {
                _ = try KafkaConsumer(
                    configuration: KafkaConfiguration(["group.id": "g"]), options: options,
                    delegate: ConsumerTestDelegate(), logger: Logger(label: "test"))
            } throws: { error in
                (error as? KafkaError)?.kind == .configuration
            }
        }
    }

    @Test func offsetStoreIsForcedOffAndCooperativeIsTheDefaultStrategy() throws {
        let settings = try ConsumerSettings(
            userConfiguration: KafkaConfiguration(["group.id": "g", "enable.auto.offset.store": "true"]),
            logLevel: .info)
        #expect(settings.configuration["enable.auto.offset.store"] == "false")
        #expect(settings.configuration["partition.assignment.strategy"] == "cooperative-sticky")
        #expect(settings.configuration["log_level"] == "6")
        #expect(settings.commitMode == .automatic)

        let eager = try ConsumerSettings(
            userConfiguration: KafkaConfiguration([
                "group.id": "g", "partition.assignment.strategy": "range", "enable.auto.commit": "false",
            ]),
            logLevel: .info)
        #expect(eager.configuration["partition.assignment.strategy"] == "range")
        #expect(eager.commitMode == .manual)
    }

    @Test func aConsumerThatNeverRanIsDestroyedByDeinit() throws {
        // No bootstrap.servers: the handle exists but connects nowhere. Dropping it must destroy it
        // (no crash, no hang); run this a few times to catch lifetime mistakes in the callback context.
        for _ in 0..<3 {
            var consumer: KafkaConsumer? = try KafkaConsumer(
                configuration: KafkaConfiguration(["group.id": "g"]), options: options,
                delegate: ConsumerTestDelegate(), logger: Logger(label: "test"))
            #expect(consumer?.assignment.isEmpty == true)
            consumer = nil
        }
    }

    @Test func runAfterCloseReturnsWithoutSubscribing() async throws {
        let consumer = try KafkaConsumer(
            configuration: KafkaConfiguration(["group.id": "g"]), options: options,
            delegate: ConsumerTestDelegate(), logger: Logger(label: "test"))
        consumer.close()
        try await consumer.run()
        await #expect {
            try await consumer.run()
        } throws: { error in
            (error as? KafkaError)?.kind == .closed
        }
        await #expect {
            _ = try await consumer.partitionCount(of: "events", timeout: .seconds(1))
        } throws: { error in
            (error as? KafkaError)?.kind == .closed
        }
    }

    @Test func errorCodesMapToKinds() {
        #expect(KafkaError(code: RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART).kind == .unknownTopic)
        #expect(KafkaError(code: RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN).kind == .brokerUnavailable)
        #expect(KafkaError(code: RD_KAFKA_RESP_ERR__TRANSPORT).kind == .brokerUnavailable)
        #expect(KafkaError(code: RD_KAFKA_RESP_ERR__TIMED_OUT).kind == .timedOut)
        #expect(KafkaError(code: RD_KAFKA_RESP_ERR__STATE).kind == .partitionNotAssigned)
        #expect(KafkaError(code: RD_KAFKA_RESP_ERR__FATAL).kind == .fatal)
        #expect(KafkaError(code: RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED).kind == .authentication)
        let error = KafkaError(code: RD_KAFKA_RESP_ERR__TRANSPORT, context: "poll", reason: "connection refused")
        #expect(error.message == "poll: _TRANSPORT: connection refused")
        #expect(error.code == RD_KAFKA_RESP_ERR__TRANSPORT.rawValue)
    }

    @Test func syslogLevelsMapToLoggerLevels() {
        let expected: [Int32: Logger.Level] = [
            0: .critical, 2: .critical, 3: .error, 4: .warning, 5: .notice, 6: .info, 7: .debug,
        ]
        for (syslog, level) in expected {
            #expect(LibrdkafkaLogBridge.level(forSyslogLevel: syslog) == level)
        }
        // librdkafka's log_level is derived from the logger's level: the round trip keeps the level
        // (trace has no syslog equivalent and becomes debug).
        for level in Logger.Level.allCases {
            let syslog = Int32(LibrdkafkaLogBridge.syslogLevel(for: level))
            #expect(LibrdkafkaLogBridge.level(forSyslogLevel: syslog) == (level == .trace ? .debug : level))
        }
    }
}
