import Kafka
import Observability

/// A `StatusSource` that answers what the test set.
final class FakeStatusSource: StatusSource, @unchecked Sendable {
    // Set before the server starts; read by its request handlers.
    var current: ServiceStatus
    var live = ProbeReport(checks: [.init(name: "poll_loop", ok: true, detail: "fake")])
    var ready = ProbeReport(checks: [.init(name: "group_member", ok: true, detail: "fake")])

    init(partitions: [PartitionStatus], state: ServiceStatus.State = .running) {
        current = ServiceStatus(
            state: state, version: "9.9.9", topic: "events", group: "test-group", memberId: "member-1",
            groupJoinState: "steady", brokersConnected: 1, partitions: partitions,
            totals: .init(consumed: 10, processed: 8, failedAttempts: 3, retries: 2, deadLettered: 1))
    }

    func status() -> ServiceStatus { current }
    func liveness() -> ProbeReport { live }
    func readiness() -> ProbeReport { ready }
}
