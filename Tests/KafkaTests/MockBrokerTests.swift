import Foundation
import Testing
import TestSupport

@Suite("mock-kafka process and its control protocol")
struct MockBrokerTests {
    @Test("starts, reports a loopback bootstrap list, and two brokers get different ports")
    func startsOnEphemeralPorts() throws {
        let first = try MockBroker(topics: ["events": 3])
        let second = try MockBroker(brokers: 3)
        defer {
            first.stop()
            second.stop()
        }
        #expect(first.bootstrapServers.hasPrefix("127.0.0.1:"))
        #expect(second.bootstrapServers.split(separator: ",").count == 3)
        let firstPorts = Set(first.bootstrapServers.split(separator: ","))
        let secondPorts = Set(second.bootstrapServers.split(separator: ","))
        #expect(firstPorts.isDisjoint(with: secondPorts))
    }

    @Test("answers commands with OK and rejects bad ones with the reason")
    func controlCommands() throws {
        let broker = try MockBroker(brokers: 2, topics: ["existing": 2])
        defer { broker.stop() }

        try broker.send(command: "ping")
        try broker.createTopic("created", partitions: 4)
        try broker.send(command: "leader created 3 2")
        try broker.setBrokerDown(2)
        try broker.setBrokerUp(2)
        try broker.send(command: "rtt 1 5")
        try broker.pushRequestErrors(apiKey: 8, errorCodes: [27, 0])
        try broker.send(command: "coordinator some-group 2")

        #expect(throws: MockBrokerError.commandFailed(command: "bogus", reason: "unknown command 'bogus' (commands: create-topic, broker-down, broker-up, rtt, push-errors, clear-errors, coordinator, leader, topic-error, ping, quit)")) {
            try broker.send(command: "bogus")
        }
        let duplicate = #expect(throws: MockBrokerError.self) { try broker.createTopic("existing", partitions: 1) }
        #expect(duplicate?.description.contains("TOPIC_ALREADY_EXISTS") == true)
        let noSuchBroker = #expect(throws: MockBrokerError.self) { try broker.setBrokerDown(3) }
        #expect(noSuchBroker?.description.contains("broker ids are 1...2") == true)
        let badNumber = #expect(throws: MockBrokerError.self) { try broker.send(command: "create-topic x zero") }
        #expect(badNumber?.description.contains("PARTITIONS must be an integer") == true)
        // The protocol stays in step after errors: the next command gets its own answer.
        try broker.send(command: "ping")
    }

    @Test("stop ends the process; commands after it fail instead of hanging")
    func stopIsFinal() throws {
        let broker = try MockBroker()
        broker.stop()
        broker.stop()
        #expect(throws: MockBrokerError.stopped) { try broker.send(command: "ping") }
    }

    @Test("locates built executables and honours the override variable's name")
    func locatesExecutables() throws {
        let url = try BuiltProducts.executableURL(named: "mock-kafka")
        #expect(FileManager.default.isExecutableFile(atPath: url.path))
        #expect(BuiltProducts.environmentVariable(for: "mock-kafka") == "MOCK_KAFKA_PATH")
        #expect(throws: BuiltProductsError.self) { try BuiltProducts.executableURL(named: "no-such-tool") }
    }
}
