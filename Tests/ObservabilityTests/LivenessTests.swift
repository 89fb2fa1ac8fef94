import Kafka
import Logging
@testable import Observability
import ProcessingCore
import Testing

/// `/healthz`'s decision (`LiveStatusSource.liveness`) from a consumer's observations: alive while the
/// poll loop goes round; a poll loop stuck beyond the liveness window or a fatal Kafka error is not.
@Suite("Liveness")
struct LivenessTests {
    final class NoDelegate: KafkaConsumerDelegate {
        func consumer(_ consumer: KafkaConsumer, didAssign partitions: [TopicPartition]) {}
        func consumer(_ consumer: KafkaConsumer, willRevoke partitions: [TopicPartition], lost: Bool) -> [TopicPartitionOffset] { [] }
        func consumer(_ consumer: KafkaConsumer, didReceive records: [KafkaRecord]) {}
        func consumer(_ consumer: KafkaConsumer, didEncounter error: KafkaError) {}
    }

    struct NoPipeline: PipelineSnapshotSource {
        func pipelineSnapshot() -> PipelineSnapshot { PipelineSnapshot(totals: .init()) }
    }

    /// A consumer that never runs (nothing connects) and the status source over it.
    static func source() throws -> (KafkaConsumer, LiveStatusSource) {
        let consumer = try KafkaConsumer(
            configuration: KafkaConfiguration(["bootstrap.servers": "127.0.0.1:1", "group.id": "liveness-test"]),
            options: .init(topics: ["events"]), delegate: NoDelegate(), logger: Logger(label: "test"))
        let lifecycle = ServiceLifecycleState()
        let monitor = ConsumerMonitor(consumer: consumer, pipeline: NoPipeline(), lifecycle: lifecycle, startsAtEarliest: true, logger: Logger(label: "test"))
        return (consumer, LiveStatusSource(
            consumer: consumer, pipeline: NoPipeline(), monitor: monitor, lifecycle: lifecycle, topic: "events", group: "g", version: "1"))
    }

    @Test("alive before the poll loop started and while it goes round")
    func aliveWhilePolling() throws {
        let (consumer, source) = try Self.source()
        #expect(source.liveness().isOK, "starting up is alive")
        consumer.observations.recordPoll(at: .now)
        #expect(source.liveness().isOK)
        // Not ready: no statistics, not in a group.
        #expect(!source.readiness().isOK)
    }

    @Test("a poll loop stuck longer than the liveness window is not alive")
    func stuckPollLoop() throws {
        let (consumer, source) = try Self.source()
        consumer.observations.recordPoll(at: .now - LiveStatusSource.livenessWindow - .seconds(1))
        let report = source.liveness()
        #expect(!report.isOK)
        #expect(report.checks.first { $0.name == "poll_loop" }?.ok == false)
    }

    @Test("a fatal Kafka error is not alive")
    func fatalError() throws {
        let (consumer, source) = try Self.source()
        consumer.observations.recordPoll(at: .now)
        consumer.observations.recordFatalError(KafkaError(kind: .fatal, message: "fenced by another instance"))
        let report = source.liveness()
        #expect(!report.isOK)
        #expect(report.checks.first { $0.name == "kafka_client" }?.detail.contains("fenced") == true)
    }

    @Test("draining is not ready, whatever else holds")
    func drainingIsNotReady() throws {
        let lifecycle = ServiceLifecycleState()
        #expect(lifecycle.current == .starting)
        lifecycle.markRunning()
        #expect(lifecycle.current == .running)
        lifecycle.markDraining()
        lifecycle.markRunning()
        #expect(lifecycle.current == .draining, "the phase only moves forward")
    }
}

@Suite("Readiness with an event store")
struct StoreReadinessTests {
    @Test("an unreachable store makes /readyz fail with a check naming it")
    func unreachableStoreIsNotReady() throws {
        let (_, base) = try LivenessTests.source()
        let reachable = ReachableFlag()
        let source = LiveStatusSource(
            consumer: base.consumer, pipeline: LivenessTests.NoPipeline(), monitor: base.monitor, lifecycle: base.lifecycle,
            topic: "events", group: "g", version: "1",
            extraReadinessChecks: { [ObservabilityCompanion.storeCheck(name: "postgres", reachable: reachable.value)] })
        #expect(source.readiness().checks.first { $0.name == "sink_reachable" }?.ok == true)
        reachable.value = false
        let check = source.readiness().checks.first { $0.name == "sink_reachable" }
        #expect(check?.ok == false)
        #expect(check?.detail == "postgres cannot be written; the service waits and retries")
    }

    final class ReachableFlag: @unchecked Sendable {
        var value = true
    }
}
