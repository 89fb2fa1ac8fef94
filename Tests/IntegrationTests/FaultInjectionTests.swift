import Foundation
import Kafka
import ProcessingCore
import Testing
import TestSupport

/// Errors injected into the mock broker while events flow — OffsetCommit, Fetch, JoinGroup, SyncGroup,
/// Heartbeat errors, a broker down and up, the group coordinator moving: nothing is lost and every offset
/// is eventually committed.
@Suite(.timeLimit(.minutes(5)))
struct FaultInjectionTests {
    /// Streams 3,000 events (600/s) into a 4-partition topic through the service, calls `inject` once the
    /// service processes, then checks that every event was processed and every offset committed.
    func expectNothingLost(
        _ label: String, brokers: Int = 1, inject: (MockBroker, String) async throws -> Void
    ) async throws {
        let broker = try await MockBroker(brokers: brokers, topics: ["events": 4])
        let group = uniqueGroupID(label)
        let producing = try EventPublisher.start(to: broker, topic: "events", count: 3_000, rate: 600)
        let processor = FaultProcessor()
        let service = try EmbeddedService(
            environment: EmbeddedService.environment(broker: broker, topic: "events", group: group), processor: processor
        )
        try await eventually("the service processing", timeout: .seconds(60)) { processor.processed.count > 100 }
        try await inject(broker, group)
        try await producing.finish()
        let ends = try await broker.highWatermarks(topic: "events", partitionCount: 4)
        try await eventually("every offset committed", timeout: .seconds(120), details: { "\(processor.processed)" }) {
            try await broker.committedOffsets(group: group, topic: "events", partitionCount: 4) == ends
        }
        let processed = processor.processed
        #expect(processed.missing(below: ends).isEmpty, "lost: \(processed.missing(below: ends))")
        let duplicates = processed.duplicates.values.reduce(0) { $0 + $1.count }
        print("\(label): \(processed.count) events processed, \(duplicates) processed twice")
        #expect(service.isRunning)
        await service.stop()
    }

    @Test func offsetCommitErrors() async throws {
        try await expectNothingLost("fault-commit") { broker, _ in
            // NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, REQUEST_TIMED_OUT, COORDINATOR_LOAD_IN_PROGRESS, ...
            try await broker.pushRequestErrors(apiKey: 8, errorCodes: [16, 15, 7, 14, 16, 15, 7, 14])
            try await Task.sleep(for: .seconds(2))
            try await broker.pushRequestErrors(apiKey: 8, errorCodes: [16, 16, 15, 15])
        }
    }

    @Test func fetchErrors() async throws {
        try await expectNothingLost("fault-fetch") { broker, _ in
            // NOT_LEADER_OR_FOLLOWER, REQUEST_TIMED_OUT, LEADER_NOT_AVAILABLE, KAFKA_STORAGE_ERROR
            try await broker.pushRequestErrors(apiKey: 1, errorCodes: [6, 7, 5, 56, 6, 7, 5, 56])
        }
    }

    @Test func joinGroupSyncGroupAndHeartbeatErrors() async throws {
        try await expectNothingLost("fault-group") { broker, _ in
            // The rejoin that the Heartbeat errors trigger meets JoinGroup and SyncGroup errors first.
            try await broker.pushRequestErrors(apiKey: 11, errorCodes: [15, 16])  // COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR
            try await broker.pushRequestErrors(apiKey: 14, errorCodes: [27])  // REBALANCE_IN_PROGRESS
            try await broker.pushRequestErrors(apiKey: 12, errorCodes: [27, 27])  // REBALANCE_IN_PROGRESS
            try await Task.sleep(for: .seconds(3))
        }
    }

    @Test func aBrokerDownAndUp() async throws {
        try await expectNothingLost("fault-broker", brokers: 3) { broker, _ in
            try await broker.setBrokerDown(2)
            try await Task.sleep(for: .seconds(3))
            try await broker.setBrokerUp(2)
            try await broker.setBrokerDown(1)
            try await Task.sleep(for: .seconds(3))
            try await broker.setBrokerUp(1)
        }
    }

    @Test func theCoordinatorMoving() async throws {
        try await expectNothingLost("fault-coordinator", brokers: 3) { broker, group in
            try await broker.send(command: "coordinator \(group) 2")
            try await Task.sleep(for: .seconds(2))
            try await broker.send(command: "coordinator \(group) 3")
            try await Task.sleep(for: .seconds(2))
        }
    }
}
