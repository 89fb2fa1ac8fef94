import EventModel
import EventModelTesting
import Foundation
import Kafka
import Testing
import TestSupport

/// What the sink integration tests share: a broker with `events` (6 partitions) and `events.dlq`, a store,
/// the service's environment for both, and the questions asked at the end.
struct SinkScenario {
    static let topic = "events"
    static let partitions = 6

    let broker: MockBroker
    let store: StoreUnderTest
    let group: String

    /// Runs `body` with a fresh scenario and tears it down afterwards, also when `body` throws: the broker
    /// and the store (a PostgreSQL server, a database file, a directory) are gone before the next test starts.
    /// (A `defer` cannot await, and a `Task` started in one would leave the teardown to run whenever.)
    static func run(_ kind: SinkKind, label: String, _ body: (SinkScenario) async throws -> Void) async throws {
        let scenario = try await start(kind, label: label)
        do {
            try await body(scenario)
        } catch {
            await scenario.tearDown()
            throw error
        }
        await scenario.tearDown()
    }

    private static func start(_ kind: SinkKind, label: String) async throws -> SinkScenario {
        let broker = try await MockBroker(topics: [topic: partitions, "\(topic).dlq": partitions])
        return SinkScenario(broker: broker, store: try await StoreUnderTest.make(kind), group: uniqueGroupID("sink-\(label)-\(kind)"))
    }

    /// The test service's environment (`ServiceProcess.environment`) with the store's, plus `extra`.
    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = ServiceProcess.environment(broker: broker, topic: Self.topic, groupID: group, store.environment)
        environment.merge(extra) { _, new in new }
        return environment
    }

    /// The event ids `event-producer --seed seed --count count` publishes.
    static func eventIDs(count: Int, seed: UInt64) -> [String] {
        var generator = SyntheticEventGenerator(seed: seed)
        let decoder = EnrichedEventDecoder()
        return (0..<count).map { _ in (try? decoder.decode(generator.next().value))?.eventID ?? "" }
    }

    var highWatermarks: [Int32: Int64] {
        get async throws { try await broker.highWatermarks(topic: Self.topic, partitionCount: Self.partitions) }
    }

    var committed: [Int32: Int64] {
        get async throws { try await broker.committedOffsets(group: group, topic: Self.topic, partitionCount: Self.partitions) }
    }

    /// Stops the broker and removes the store.
    func tearDown() async {
        broker.requestStop()
        await store.remove()
    }

    /// Waits until the group committed every offset of the topic (a hang bound, not an expectation).
    func waitUntilAllCommitted(_ service: ServiceProcess, timeout: Duration = .seconds(180)) async throws {
        let ends = try await highWatermarks
        try await eventually("every offset committed", timeout: timeout, details: { service.tail() }) {
            try await committed == ends
        }
    }

    /// Runs the service until the group committed every offset of the topic, then shuts it down and
    /// expects a clean exit; the stopped service is returned for its log lines.
    func serveUntilAllCommitted(
        _ name: String, environment: [String: String]? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> ServiceProcess {
        let service = try ServiceProcess(name: name, environment: environment ?? self.environment())
        try await waitUntilAllCommitted(service)
        #expect(try await service.shutDown() == .exited(0), sourceLocation: sourceLocation)
        return service
    }

    /// Expects the store to hold exactly `eventIDs`, each once; returns what it holds.
    @discardableResult
    func expectStored(exactly eventIDs: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String] {
        let stored = try await store.storedEventIDs()
        #expect(stored.count == eventIDs.count, "one row per event", sourceLocation: sourceLocation)
        #expect(Set(stored) == Set(eventIDs), "none missing, none foreign", sourceLocation: sourceLocation)
        return stored
    }

    /// Waits until at least `count` offsets are committed in all.
    func waitUntilCommitted(atLeast count: Int64, _ service: ServiceProcess) async throws {
        try await eventually("\(count) offsets committed", timeout: .seconds(120), details: { service.tail() }) {
            try await committed.values.reduce(0, +) >= count
        }
    }

    /// The metadata of the service's `Event store closed` line (`stored`, `duplicates`, ...).
    static func closingCounts(_ service: ServiceProcess) -> [String: Int] {
        guard let line = service.logLines.last(where: { $0.message == "Event store closed" }) else { return [:] }
        return line.metadata.compactMapValues { Int($0) }
    }

    /// The event id of every record of the topic, by partition and offset.
    func publishedEventIDs() async throws -> [TopicPartitionOffset: String] {
        let records = try await TopicSnapshot.read(
            topic: Self.topic, partitionCount: Self.partitions, bootstrapServers: broker.bootstrapServers)
        let decoder = EnrichedEventDecoder()
        var ids: [TopicPartitionOffset: String] = [:]
        for record in records {
            guard let value = record.value, let event = try? decoder.decode(value) else { continue }
            ids[TopicPartitionOffset(record.topicPartition, offset: record.offset)] = event.eventID
        }
        return ids
    }
}
