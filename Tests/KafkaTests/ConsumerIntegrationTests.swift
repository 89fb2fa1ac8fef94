import Foundation
import Kafka
import Logging
import Synchronization
import TestSupport
import Testing

/// `KafkaConsumer` against librdkafka's mock cluster running in its own `mock-kafka` process (one per
/// test). Time limits are hang bounds, never performance expectations.
@Suite(.serialized) struct ConsumerIntegrationTests {
    private static let logger: Logger = {
        var logger = Logger(label: "consumer-test")
        logger.logLevel = .warning
        return logger
    }()

    /// Properties for every member: a short session timeout, because a re-join to a group that had
    /// members waits up to `session.timeout.ms` on the mock cluster (see the facts file).
    private static func configuration(
        _ broker: MockBroker, group: String, _ extra: [String: String] = [:]
    ) -> KafkaConfiguration {
        var properties = [
            "bootstrap.servers": broker.bootstrapServers,
            "group.id": group,
            "session.timeout.ms": "6000",
            "heartbeat.interval.ms": "500",
            "auto.offset.reset": "earliest",
            "auto.commit.interval.ms": "200",
        ]
        properties.merge(extra) { $1 }
        return KafkaConfiguration(properties)
    }

    /// A started consumer whose `run()` executes in a task.
    private struct RunningConsumer {
        let consumer: KafkaConsumer
        let delegate: ConsumerTestDelegate
        let run: Task<Result<Void, KafkaError>, Never>

        init(
            _ configuration: KafkaConfiguration, topics: [String], readFromBeginning: Bool = false,
            maxBatchSize: Int = 1024, delegate: ConsumerTestDelegate = ConsumerTestDelegate(storesEachBatch: true)
        ) throws {
            let consumer = try KafkaConsumer(
                configuration: configuration,
                options: .init(topics: topics, readFromBeginning: readFromBeginning, maxBatchSize: maxBatchSize),
                delegate: delegate, logger: ConsumerIntegrationTests.logger)
            self.consumer = consumer
            self.delegate = delegate
            self.run = Task {
                do throws(KafkaError) {
                    try await consumer.run()
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
        }

        /// Closes and waits (with a hang bound) for `run()` to return.
        func close() async throws {
            consumer.close()
            let finished = await waitForRun(timeout: .seconds(60))
            try #require(finished != nil, "run() did not return after close()")
            try finished?.get()
        }

        /// `run()`'s outcome, or nil when it did not return within `timeout` (a hang bound).
        func waitForRun(timeout: Duration) async -> Result<Void, KafkaError>? {
            let run = self.run
            return await value(within: timeout, of: { await run.value })
        }
    }

    private static func records(topic: String, partitions: Int32, perPartition: Int, tag: String = "") -> [ProducerRecord] {
        (0..<partitions).flatMap { partition in
            (0..<perPartition).map { index in
                ProducerRecord(
                    topic: topic, partition: partition, key: Array("k\(index)".utf8),
                    value: Array("\(tag)p\(partition)-\(index)".utf8))
            }
        }
    }

    private static func uniqueGroup() -> String { "group-\(UInt64.random(in: 0...UInt64.max))" }

    // MARK: Tests

    @Test func everyRecordOfSeveralPartitionsIsDeliveredOnceInOrder() async throws {
        let broker = try await MockBroker(topics: ["events": 3])
        try await ConsumerTestProducer.produce(
            Self.records(topic: "events", partitions: 3, perPartition: 1000),
            bootstrapServers: broker.bootstrapServers)

        let running = try RunningConsumer(
            Self.configuration(broker, group: Self.uniqueGroup()), topics: ["events"], maxBatchSize: 100)
        let delivered = await running.delegate.wait { $0.records.count >= 3000 }
        try await running.close()

        let observed = running.delegate.observed
        #expect(delivered)
        #expect(observed.records.count == 3000)
        for partition in Int32(0)..<3 {
            let offsets = observed.offsetsByPartition[TopicPartition(topic: "events", partition: partition)] ?? []
            #expect(offsets == Array(0..<1000), "partition \(partition): every offset once, in order")
        }
        #expect(observed.records.allSatisfy { $0.timestampMilliseconds != nil })
        #expect(observed.records.allSatisfy(Self.valueIsFollowedByZeroPadding), "records share arenas; each value is padded")
        #expect(observed.batches >= 30, "batches are bounded by maxBatchSize")
        #expect(Set(observed.assigned.flatMap { $0 }).count == 3)
        #expect(!observed.revoked.isEmpty, "close revokes the assignment")
        #expect(observed.overlappingCalls == 0)
    }

    @Test func tombstonesKeysAndHeadersAreCopied() async throws {
        let broker = try await MockBroker(topics: ["events": 1])
        try await ConsumerTestProducer.produce([
            ProducerRecord(topic: "events", key: Array("user-1".utf8), value: nil),
            ProducerRecord(topic: "events", key: nil, value: []),
            ProducerRecord(
                topic: "events", key: nil, value: Array("v".utf8),
                headers: [KafkaHeader(name: "a", value: Array("1".utf8)), KafkaHeader(name: "b", value: nil)]),
        ], bootstrapServers: broker.bootstrapServers)

        let running = try RunningConsumer(Self.configuration(broker, group: Self.uniqueGroup()), topics: ["events"])
        #expect(await running.delegate.wait { $0.records.count >= 3 })
        try await running.close()

        let records = running.delegate.observed.records
        try #require(records.count == 3)
        #expect(records[0].value == nil, "a tombstone has a nil value")
        #expect(records[0].key == Array("user-1".utf8))
        #expect(records[0].headers.isEmpty)
        #expect(records[1].value == [], "an empty value is not a tombstone")
        #expect(records[1].key == nil)
        #expect(records[2].headers == [KafkaHeader(name: "a", value: Array("1".utf8)), KafkaHeader(name: "b", value: nil)])
        #expect(records.allSatisfy(Self.valueIsFollowedByZeroPadding))
        records[2].withUnsafePaddedValue { value, _ in
            #expect(value.map { Array($0) } == Array("v".utf8), "the padded view has the value's own length")
        }
    }

    /// Whether the `KafkaRecord.valuePadding` bytes after the value (in the record's own memory) are zero.
    private static func valueIsFollowedByZeroPadding(_ record: KafkaRecord) -> Bool {
        record.withUnsafePaddedValue { value, _ in
            guard let value else { return true }
            let padding = UnsafeRawBufferPointer(start: value.baseAddress! + value.count, count: KafkaRecord.valuePadding)
            return padding.allSatisfy { $0 == 0 }
        }
    }

    @Test(arguments: ["true", "false"])
    func aNewMemberResumesAfterTheCommittedOffsets(autoCommit: String) async throws {
        let broker = try await MockBroker(topics: ["events": 2])
        let group = Self.uniqueGroup()
        let settings = ["enable.auto.commit": autoCommit]
        try await ConsumerTestProducer.produce(
            Self.records(topic: "events", partitions: 2, perPartition: 100, tag: "first"),
            bootstrapServers: broker.bootstrapServers)

        let first = try RunningConsumer(Self.configuration(broker, group: group, settings), topics: ["events"])
        #expect(await first.delegate.wait { $0.records.count >= 200 })
        if autoCommit == "false" { first.consumer.commit() }
        try await first.close()

        try await ConsumerTestProducer.produce(
            Self.records(topic: "events", partitions: 2, perPartition: 50, tag: "second"),
            bootstrapServers: broker.bootstrapServers)
        let second = try RunningConsumer(Self.configuration(broker, group: group, settings), topics: ["events"])
        #expect(await second.delegate.wait { $0.records.count >= 100 })
        try await second.close()

        let observed = second.delegate.observed
        #expect(observed.records.count == 100, "nothing before the committed offsets is delivered again")
        for partition in Int32(0)..<2 {
            let offsets = observed.offsetsByPartition[TopicPartition(topic: "events", partition: partition)]
            #expect(offsets == Array(100..<150))
        }
    }

    @Test func readFromBeginningIgnoresCommittedOffsets() async throws {
        let broker = try await MockBroker(topics: ["events": 2])
        let group = Self.uniqueGroup()
        try await ConsumerTestProducer.produce(
            Self.records(topic: "events", partitions: 2, perPartition: 100), bootstrapServers: broker.bootstrapServers)

        let first = try RunningConsumer(Self.configuration(broker, group: group), topics: ["events"])
        #expect(await first.delegate.wait { $0.records.count >= 200 })
        try await first.close()

        let again = try RunningConsumer(
            Self.configuration(broker, group: group), topics: ["events"], readFromBeginning: true)
        #expect(await again.delegate.wait { $0.records.count >= 200 })
        try await again.close()
        let offsets = again.delegate.observed.offsetsByPartition
        #expect(offsets[TopicPartition(topic: "events", partition: 0)] == Array(0..<100))
        #expect(offsets[TopicPartition(topic: "events", partition: 1)] == Array(0..<100))
    }

    @Test func resumeContinuesAfterTheLastDeliveredRecordWithoutGapOrDuplicate() async throws {
        let broker = try await MockBroker(topics: ["events": 2])
        try await ConsumerTestProducer.produce(
            Self.records(topic: "events", partitions: 1, perPartition: 3000), bootstrapServers: broker.bootstrapServers)
        let partition = TopicPartition(topic: "events", partition: 0)
        let other = TopicPartition(topic: "events", partition: 1)
        // Pause from inside the first batch: the pause is applied before the next poll, so nothing more
        // may arrive, although librdkafka has prefetched more (how many the first batch holds depends on
        // how the producer batched the first records, so the test takes whatever it was).
        let pausedOnce = PausedOnce()
        let delegate = ConsumerTestDelegate(storesEachBatch: true) { consumer, _ in
            if pausedOnce.first() { consumer.pause([partition]) }
        }
        let running = try RunningConsumer(
            Self.configuration(broker, group: Self.uniqueGroup()), topics: ["events"], maxBatchSize: 50,
            delegate: delegate)
        #expect(await delegate.wait { $0.batches >= 1 })
        let deliveredBeforePause = delegate.observed.records.count
        #expect((1...50).contains(deliveredBeforePause))
        // The signal that the consumer went on polling and fetching while partition 0 was paused: records
        // of the other partition, produced only now, are delivered.
        try await ConsumerTestProducer.produce(
            (0..<200).map { ProducerRecord(topic: "events", partition: 1, key: nil, value: Array("late-\($0)".utf8)) },
            bootstrapServers: broker.bootstrapServers)
        #expect(await delegate.wait { $0.offsetsByPartition[other]?.count == 200 })
        #expect(delegate.observed.offsetsByPartition[partition]?.count == deliveredBeforePause, "nothing is delivered while paused")

        running.consumer.resume([partition])
        #expect(await delegate.wait { $0.offsetsByPartition[partition]?.count ?? 0 >= 3000 })
        try await running.close()
        #expect(delegate.observed.offsetsByPartition[partition] == Array(0..<3000))
    }

    @Test func stopDeliveryDeliversNothingMore() async throws {
        let broker = try await MockBroker(topics: ["events": 1])
        try await ConsumerTestProducer.produce(
            Self.records(topic: "events", partitions: 1, perPartition: 2000), bootstrapServers: broker.bootstrapServers)
        let stopped = PausedOnce()
        let delegate = ConsumerTestDelegate(storesEachBatch: true) { consumer, _ in
            if stopped.first() { consumer.stopDelivery() }
        }
        let running = try RunningConsumer(
            Self.configuration(broker, group: Self.uniqueGroup()), topics: ["events"], maxBatchSize: 10,
            delegate: delegate)
        #expect(await delegate.wait { $0.batches >= 1 })
        // The signal that every record was polled after the stop (and dropped): the consumer's position
        // reached the end of the partition.
        let partition = TopicPartition(topic: "events", partition: 0)
        let deadline = ContinuousClock.now + .seconds(60)  // a hang bound
        while try running.consumer.positions(of: [partition])[partition] != 2000, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(try running.consumer.positions(of: [partition]) == [partition: 2000])
        try await running.close()
        // Exactly the one batch delivered before stopDelivery(); its size depends on what was already
        // fetched at that moment (at most maxBatchSize).
        #expect(delegate.observed.batches == 1)
        #expect((1...10).contains(delegate.observed.records.count))
    }

    @Test func cooperativeRebalanceSplitsPartitionsBetweenTwoMembers() async throws {
        let broker = try await MockBroker(topics: ["events": 4])
        let group = Self.uniqueGroup()
        try await ConsumerTestProducer.produce(
            Self.records(topic: "events", partitions: 4, perPartition: 10), bootstrapServers: broker.bootstrapServers)
        let all = Set((Int32(0)..<4).map { TopicPartition(topic: "events", partition: $0) })

        let first = try RunningConsumer(Self.configuration(broker, group: group), topics: ["events"])
        #expect(await first.delegate.wait { Set($0.assigned.flatMap { $0 }) == all })

        let second = try RunningConsumer(Self.configuration(broker, group: group), topics: ["events"])
        #expect(await second.delegate.wait { !$0.assigned.flatMap { $0 }.isEmpty })
        #expect(await first.delegate.wait { !$0.revoked.isEmpty })

        let firstRevoked = first.delegate.observed.revoked
        #expect(firstRevoked.allSatisfy { !$0.lost })
        // Cooperative: the first member keeps what it is not asked to give up, and only the moved
        // partitions change owner.
        let firstAssignment = first.consumer.assignment
        let secondAssignment = second.consumer.assignment
        #expect(!firstAssignment.isEmpty && !secondAssignment.isEmpty)
        #expect(firstAssignment.isDisjoint(with: secondAssignment))
        #expect(firstAssignment.union(secondAssignment) == all)
        #expect(Set(firstRevoked.flatMap(\.partitions)) == secondAssignment)

        try await second.close()
        try await first.close()
        #expect(first.delegate.observed.overlappingCalls == 0)
        #expect(second.delegate.observed.overlappingCalls == 0)
    }

    @Test func cancellingTheRunTaskClosesTheConsumer() async throws {
        let broker = try await MockBroker(topics: ["events": 2])
        let running = try RunningConsumer(Self.configuration(broker, group: Self.uniqueGroup()), topics: ["events"])
        #expect(await running.delegate.wait { !$0.assigned.isEmpty })
        running.run.cancel()
        let outcome = await running.run.value
        #expect((try? outcome.get()) != nil, "run() returns normally after a cancellation-triggered close")
        #expect(!running.delegate.observed.revoked.isEmpty, "the close revoked the assignment")
        #expect(running.consumer.assignment.isEmpty)
    }

    @Test func aFatalErrorEndsRunWithAFatalError() async throws {
        let broker = try await MockBroker(topics: ["events": 1])
        // A fenced static member (another instance took its group.instance.id) is fatal for librdkafka.
        let running = try RunningConsumer(
            Self.configuration(broker, group: Self.uniqueGroup(), ["group.instance.id": "instance-1"]),
            topics: ["events"])
        #expect(await running.delegate.wait { !$0.assigned.isEmpty })
        let fencedInstanceID = 82
        try await broker.pushRequestErrors(apiKey: 12, errorCodes: [fencedInstanceID, fencedInstanceID, fencedInstanceID])
        let outcome = await running.waitForRun(timeout: .seconds(60))
        guard case .failure(let error) = outcome else {
            Issue.record("run() must throw after a fatal error, got \(String(describing: outcome)); errors: \(running.delegate.observed.errors)")
            running.consumer.close()
            return
        }
        #expect(error.kind == .fatal)
        #expect(error.code == Int32(fencedInstanceID))
    }

    @Test func partitionCountAnswersKnownAndUnknownTopics() async throws {
        let broker = try await MockBroker(topics: ["events": 5])
        let consumer = try KafkaConsumer(
            configuration: Self.configuration(broker, group: Self.uniqueGroup()),
            options: .init(topics: ["events"]), delegate: ConsumerTestDelegate(), logger: Self.logger)
        #expect(try await consumer.partitionCount(of: "events", timeout: .seconds(30)) == 5)
        await #expect {
            _ = try await consumer.partitionCount(of: "no-such-topic", timeout: .seconds(30))
        } throws: { error in
            (error as? KafkaError)?.kind == .unknownTopic
        }
        await broker.stop()
        await #expect {
            _ = try await consumer.partitionCount(of: "events", timeout: .milliseconds(1500))
        } throws: { error in
            (error as? KafkaError)?.kind == .timedOut
        }
    }

    @Test func aBrokerGoingDownIsReportedAndConsumptionContinues() async throws {
        let broker = try await MockBroker(topics: ["events": 1])
        let running = try RunningConsumer(Self.configuration(broker, group: Self.uniqueGroup()), topics: ["events"])
        #expect(await running.delegate.wait { !$0.assigned.isEmpty })
        try await broker.setBrokerDown(1)
        #expect(await running.delegate.wait { $0.errors.contains { $0.kind == .brokerUnavailable } })
        try await broker.setBrokerUp(1)
        try await ConsumerTestProducer.produce(
            Self.records(topic: "events", partitions: 1, perPartition: 10), bootstrapServers: broker.bootstrapServers)
        #expect(await running.delegate.wait { $0.records.count >= 10 })
        try await running.close()
    }

    /// librdkafka 2.0.2 stops fetching while its queue holds `queued.min.messages` and, left alone, looks
    /// again only after up to a second. Here every fetch (one small message set, `max.partition.fetch.bytes`
    /// being tiny) fills the queue past the limit, so without the consumer's wake-ups each of the ~60
    /// fetches would be followed by such a pause; with them, the delivery never pauses that long.
    @Test func aDrainedPrefetchQueueIsRefilledWithoutWaitingForLibrdkafkasIdleTimeout() async throws {
        let broker = try await MockBroker(topics: ["events": 1])
        try await ConsumerTestProducer.produce(
            Self.records(topic: "events", partitions: 1, perPartition: 3000), bootstrapServers: broker.bootstrapServers,
            properties: ["batch.num.messages": "50"])

        let deliveries = Mutex<[ContinuousClock.Instant]>([])
        let delegate = ConsumerTestDelegate(storesEachBatch: true) { _, _ in
            deliveries.withLock { $0.append(.now) }
        }
        let running = try RunningConsumer(
            Self.configuration(broker, group: Self.uniqueGroup(), [
                "queued.min.messages": "40", "max.partition.fetch.bytes": "1", "fetch.wait.max.ms": "10",
            ]),
            topics: ["events"], delegate: delegate)
        let delivered = await running.delegate.wait { $0.records.count >= 3000 }
        let wakeups = running.consumer.fetchWakeupsSent
        try await running.close()

        #expect(delivered)
        let times = deliveries.withLock { $0 }
        let longPauses = zip(times, times.dropFirst()).filter { $1 - $0 >= .milliseconds(500) }.count
        // Without the wake-ups every drain of the queue costs librdkafka's idle wait (up to 1 s): about one
        // long pause per wake-up that would have been sent. A loaded machine (the whole suite on 2 cores)
        // adds a few pauses of its own, so the bound grows with the drains instead of being a fixed 3.
        #expect(longPauses <= max(3, wakeups / 4), "\(longPauses) pauses of 500 ms or more between \(times.count) deliveries, \(wakeups) wake-ups")
        #expect(wakeups > 0)
    }
}

/// True exactly once, for the first caller (thread-safe).
final class PausedOnce: Sendable {
    private let done = Atomic(false)
    func first() -> Bool {
        !done.exchange(true, ordering: .sequentiallyConsistent)
    }
}
