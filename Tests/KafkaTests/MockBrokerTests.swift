import Foundation
import Subprocess
import SystemPackage
import Testing
import TestSupport

@Suite("mock-kafka process and its control protocol")
struct MockBrokerTests {
    @Test("starts, reports a loopback bootstrap list, and two brokers get different ports")
    func startsOnEphemeralPorts() async throws {
        let first = try await MockBroker(topics: ["events": 3])
        let second = try await MockBroker(brokers: 3)
        defer {
            first.requestStop()
            second.requestStop()
        }
        #expect(first.bootstrapServers.hasPrefix("127.0.0.1:"))
        #expect(second.bootstrapServers.split(separator: ",").count == 3)
        let firstPorts = Set(first.bootstrapServers.split(separator: ","))
        let secondPorts = Set(second.bootstrapServers.split(separator: ","))
        #expect(firstPorts.isDisjoint(with: secondPorts))
    }

    @Test("answers commands with OK and rejects bad ones with the reason")
    func controlCommands() async throws {
        let broker = try await MockBroker(brokers: 2, topics: ["existing": 2])
        defer { broker.requestStop() }

        try await broker.send(command: "ping")
        try await broker.createTopic("created", partitions: 4)
        try await broker.send(command: "leader created 3 2")
        try await broker.setBrokerDown(2)
        try await broker.setBrokerUp(2)
        try await broker.send(command: "rtt 1 5")
        try await broker.pushRequestErrors(apiKey: 8, errorCodes: [27, 0])
        try await broker.send(command: "coordinator some-group 2")

        await #expect(throws: MockBrokerError.commandFailed(command: "bogus", reason: "unknown command 'bogus' (commands: create-topic, broker-down, broker-up, rtt, push-errors, clear-errors, coordinator, leader, topic-error, ping, quit)")) {
            try await broker.send(command: "bogus")
        }
        let duplicate = await #expect(throws: MockBrokerError.self) { try await broker.createTopic("existing", partitions: 1) }
        #expect(duplicate?.description.contains("TOPIC_ALREADY_EXISTS") == true)
        let noSuchBroker = await #expect(throws: MockBrokerError.self) { try await broker.setBrokerDown(3) }
        #expect(noSuchBroker?.description.contains("broker ids are 1...2") == true)
        let badNumber = await #expect(throws: MockBrokerError.self) { try await broker.send(command: "create-topic x zero") }
        #expect(badNumber?.description.contains("PARTITIONS must be an integer") == true)
        // The protocol stays in step after errors: the next command gets its own answer.
        try await broker.send(command: "ping")
    }

    @Test("stop ends the process; commands after it fail instead of hanging")
    func stopIsFinal() async throws {
        let broker = try await MockBroker()
        await broker.stop()
        await broker.stop()
        await #expect(throws: MockBrokerError.stopped) { try await broker.send(command: "ping") }
    }

    @Test("SIGTERM and SIGINT stop mock-kafka cleanly (exit 0), not by the signal's default action", arguments: [Signal.terminate, .interrupt])
    func terminationSignalsExitZero(signal: Signal) async throws {
        let executable = try BuiltProducts.executableURL(named: "mock-kafka")
        let result = try await Subprocess.run(
            .path(FilePath(executable.path)), arguments: ["--no-stdin", "--topic", "events:1"],
            input: .none, output: .sequence, error: .discarded
        ) { execution in
            // The BOOTSTRAP line comes after the signals are trapped.
            var lines = execution.standardOutput.strings().makeAsyncIterator()
            let first = try await lines.next()
            try execution.send(signal: signal)
            while try await lines.next() != nil {}
            return first
        }
        #expect(result.closureResult?.hasPrefix("BOOTSTRAP ") == true)
        #expect(result.terminationStatus == .exited(0))
    }

    @Test("locates built executables and honours the override variable's name")
    func locatesExecutables() throws {
        let url = try BuiltProducts.executableURL(named: "mock-kafka")
        #expect(FileManager.default.isExecutableFile(atPath: url.path))
        #expect(BuiltProducts.environmentVariable(for: "mock-kafka") == "MOCK_KAFKA_PATH")
        #expect(throws: BuiltProductsError.self) { try BuiltProducts.executableURL(named: "no-such-tool") }
    }
}
