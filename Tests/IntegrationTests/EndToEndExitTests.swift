import Foundation
import Testing
import TestSupport

extension ServiceEndToEndTests {
    /// How the service ends when it cannot go on, or is told twice to stop: the exit codes an
    /// orchestrator sees.
    @Suite("exit codes")
    struct Exit {
        static let topic = ServiceEndToEndTests.topic

        @Test("a fatal librdkafka error (a fenced static member) stops the service with exit 70 and says why")
        func fatalKafkaErrorExits70() async throws {
            let broker = try await ServiceEndToEndTests.startBroker()
            defer { broker.requestStop() }
            let environment = ServiceProcess.environment(
                broker: broker, topic: Self.topic, groupID: uniqueGroupID("fatal"),
                ["KAFKA_CFG_GROUP_INSTANCE_ID": "instance-1"]
            )
            let service = try ServiceProcess(name: "service-fenced", environment: environment)
            try await service.waitForAssignment()
            // FENCED_INSTANCE_ID (82) on Heartbeat: another instance claimed this group.instance.id,
            // which librdkafka treats as fatal for this client.
            try await broker.pushRequestErrors(apiKey: 12, errorCodes: [82, 82, 82])
            let exit = try await service.waitForExit(timeout: .seconds(120))
            #expect(exit == .exited(70), "\(service.tail())")
            #expect(
                service.logLines.contains { $0.level == "critical" && $0.message.contains("fatal Kafka error") },
                "a critical line says why: \(service.tail())"
            )
        }

        @Test("a second SIGTERM during the graceful shutdown exits at once")
        func secondSignalExitsImmediately() async throws {
            let broker = try await ServiceEndToEndTests.startBroker()
            defer { broker.requestStop() }
            let environment = ServiceProcess.environment(
                broker: broker, topic: Self.topic, groupID: uniqueGroupID("second-signal"), [:]
            )
            let service = try ServiceProcess(name: "service-two-signals", environment: environment)
            try await service.waitForAssignment()
            // With every broker response delayed by 20 s, the graceful close (final commit, LeaveGroup)
            // cannot finish quickly: only the second signal can end the process promptly.
            try await broker.send(command: "rtt 1 20000")
            service.terminate()
            try await service.waitForLine("graceful shutdown started") { $0.message.hasPrefix("Shutting down") }
            service.terminate()
            let exit = try await service.waitForExit(timeout: .seconds(60))
            #expect(exit == .exited(130), "\(service.tail())")
            #expect(service.logLines.contains { $0.message.contains("exiting immediately") }, "\(service.tail())")
        }

        @Test("a missing topic is retried MAX_RETRIES times, each attempt logged, then exit 69 with the reason")
        func missingTopicExits69AfterTheRetries() async throws {
            let broker = try await ServiceEndToEndTests.startBroker()
            defer { broker.requestStop() }
            let environment = ServiceProcess.environment(
                broker: broker, topic: "no-such-topic", groupID: uniqueGroupID("missing-topic"),
                ["MAX_RETRIES": "3", "RETRY_DELAY": "0.2", "DLQ_ENABLED": "false"]
            )
            let service = try ServiceProcess(name: "service-missing-topic", environment: environment)
            let exit = try await service.waitForExit(timeout: .seconds(120))
            #expect(exit == .exited(69), "\(service.tail())")
            let retries = service.logLines.filter { $0.message == "Kafka not ready, retrying" }
            #expect(retries.count == 2, "attempts 1 and 2 logged before the third and last: \(service.tail())")
            #expect(retries.allSatisfy { $0.metadata["reason"]?.contains("does not exist") == true })
            #expect(service.logLines.contains { $0.level == "critical" && $0.message.contains("no-such-topic does not exist") })
        }

        @Test("unreachable brokers are retried MAX_RETRIES times, then exit 69")
        func unreachableBrokersExit69AfterTheRetries() async throws {
            let broker = try await ServiceEndToEndTests.startBroker()
            await broker.stop()  // its address now refuses connections
            let environment = ServiceProcess.environment(
                broker: broker, topic: Self.topic, groupID: uniqueGroupID("no-broker"),
                ["MAX_RETRIES": "2", "RETRY_DELAY": "0.2", "DLQ_ENABLED": "false"]
            )
            let service = try ServiceProcess(name: "service-no-broker", environment: environment)
            let exit = try await service.waitForExit(timeout: .seconds(120))
            #expect(exit == .exited(69), "\(service.tail())")
            #expect(service.logLines.filter { $0.message == "Kafka not ready, retrying" }.count == 1, "\(service.tail())")
        }
    }
}
