import EventModel
import EventModelTesting
import Foundation
import Kafka
import Logging
import Synchronization
import Testing

@testable import ProcessingCore

/// The pipeline's ordering, retry, dead-letter and revocation rules, driven directly (no broker): the
/// consumer side is replaced by `RecordingControl`, which records the requests the pipeline makes.
/// End-to-end behaviour against the mock broker is covered by the integration tests.
@Suite struct EventPipelineTests {
    let partition = TopicPartition(topic: "events", partition: 0)

    @Test func processesInOrderAndStoresTheNextOffset() async throws {
        let processor = RecordingProcessor()
        let control = RecordingControl()
        let pipeline = makePipeline(processor: processor)
        try await processAll(0..<100, through: pipeline, control: control)
        #expect(processor.offsets == Array(0..<100))
        #expect(pipeline.statistics.processed == 100)
    }

    @Test func failingProcessorIsRetriedThenSucceedsWithThePartitionPausedMeanwhile() async throws {
        let processor = RecordingProcessor(failuresBeforeSuccess: [5: 2])
        let control = RecordingControl()
        let pipeline = makePipeline(processor: processor)
        try await processAll(0..<10, through: pipeline, control: control)
        #expect(processor.attempts(at: 5) == 3)
        #expect(processor.offsets == Array(0..<10), "order kept, each event processed once successfully")
        let fetchRequests = control.requests.filter { !$0.isStore }
        #expect(fetchRequests == [.pause(partition), .resume(partition)], "paused during the backoff, resumed after success")
    }

    @Test func synchronousProcessorIsCalledDirectlyAndRetriedThroughProcess() async throws {
        let processor = EntryPointRecordingProcessor(failingAttempts: [4: 2])
        let control = RecordingControl()
        let pipeline = makePipeline(processor: processor)
        try await processAll(0..<8, through: pipeline, control: control)
        let calls = processor.calls
        #expect(calls.filter { $0.attempt == 1 }.map(\.offset) == Array(0..<8), "every event's first attempt, in order")
        #expect(calls.filter { $0.attempt == 1 }.allSatisfy { $0.entryPoint == .synchronous })
        #expect(
            calls.filter { $0.attempt > 1 } == [
                .init(offset: 4, attempt: 2, entryPoint: .asynchronous), .init(offset: 4, attempt: 3, entryPoint: .asynchronous),
            ], "retries go through process(_:context:)")
        #expect(pipeline.statistics.processed == 8)
    }

    @Test func exhaustedAttemptsAreDeadLetteredWithTheirHistory() async throws {
        let processor = RecordingProcessor(failuresBeforeSuccess: [3: 100])
        let control = RecordingControl()
        let sink = RecordingSink()
        let pipeline = makePipeline(processor: processor, sink: sink, maxAttempts: 3)
        try await processAll(0..<6, through: pipeline, control: control)
        let letters = sink.letters
        #expect(letters.count == 1)
        #expect(letters.first?.record.offset == 3)
        #expect(letters.first?.failure == .processingFailed)
        #expect(letters.first?.attempts == 3)
        #expect(processor.offsets == [0, 1, 2, 4, 5])
    }

    @Test func invalidMessagesAreDeadLetteredAtOnceWithTheirClass() async throws {
        let control = RecordingControl()
        let sink = RecordingSink()
        let processor = RecordingProcessor()
        let pipeline = makePipeline(processor: processor, sink: sink)
        pipeline.assign([partition], control: control)
        let samples = SyntheticEventGenerator.invalidSamples()
        let batch = samples.enumerated().map { index, sample in
            KafkaRecord(topicPartition: partition, offset: Int64(index), key: nil, value: sample.value, timestampMilliseconds: nil)
        }
        pipeline.receive(batch)
        try await eventually { control.lastStored(partition) == Int64(samples.count) }
        #expect(sink.letters.map(\.failure.name) == samples.map(\.errorClass))
        #expect(sink.letters.allSatisfy { $0.attempts == 0 })
        #expect(processor.offsets.isEmpty)
        #expect(pipeline.statistics.invalid == samples.count)
    }

    @Test func unavailableDeadLetterTopicPausesThePartitionAndSkipsNothing() async throws {
        let control = RecordingControl()
        let sink = RecordingSink(failuresBeforeSuccess: 3)
        let processor = RecordingProcessor()
        let pipeline = makePipeline(processor: processor, sink: sink)
        pipeline.assign([partition], control: control)
        var batch = records(0..<3)
        batch[1].value = nil
        pipeline.receive(batch)
        try await eventually { control.lastStored(partition) == 3 }
        #expect(sink.letters.count == 1)
        #expect(sink.sendAttempts == 4)
        #expect(processor.offsets == [0, 2])
        #expect(control.requests.contains(.pause(partition)))
        #expect(control.requests.contains(.resume(partition)))
    }

    @Test func withDeadLetteringDisabledAFailureHaltsThePartition() async throws {
        let control = RecordingControl()
        let processor = RecordingProcessor()
        let pipeline = makePipeline(processor: processor, sink: nil)
        pipeline.assign([partition], control: control)
        var batch = records(0..<5)
        batch[2].value = Array("not json".utf8)
        pipeline.receive(batch)
        try await eventually { pipeline.statistics.halted == 1 }
        try await Task.sleep(for: .milliseconds(100))
        #expect(processor.offsets == [0, 1])
        #expect(control.requests.contains(.pause(partition)))
        #expect(!control.requests.contains(.resume(partition)))
        #expect(pipeline.revoke([partition], lost: false) == [TopicPartitionOffset(partition, offset: 2)])
    }

    @Test func revokeReturnsFinishedWorkAndDropsLateResults() async throws {
        let processor = RecordingProcessor(blockAt: 3)
        let control = RecordingControl()
        let pipeline = makePipeline(processor: processor)
        pipeline.assign([partition], control: control)
        pipeline.receive(records(0..<10))
        try await eventually { processor.isBlocked }
        let offsets = pipeline.revoke([partition], lost: false)
        #expect(offsets == [TopicPartitionOffset(partition, offset: 3)])
        let requestsAtRevoke = control.requests.count
        processor.unblock()
        try await Task.sleep(for: .milliseconds(200))
        #expect(control.requests.count == requestsAtRevoke, "nothing requested after revoke")
        #expect(processor.offsets == [0, 1, 2, 3])
    }

    @Test func lostAssignmentStoresNothing() async throws {
        let control = RecordingControl()
        let pipeline = makePipeline(processor: RecordingProcessor())
        try await processAll(0..<5, through: pipeline, control: control)
        #expect(pipeline.revoke([partition], lost: true).isEmpty)
    }

    @Test func backpressurePausesAFullPartitionAndResumesItWhenDrained() async throws {
        let processor = RecordingProcessor(blockAt: 0)
        let control = RecordingControl()
        let pipeline = makePipeline(processor: processor, maxBuffered: 10, resumeBelow: 2)
        pipeline.assign([partition], control: control)
        pipeline.receive(records(0..<12))
        try await eventually { processor.isBlocked }
        #expect(control.requests.contains(.pause(partition)))
        processor.unblock()
        try await eventually { control.lastStored(partition) == 12 }
        #expect(control.requests.contains(.resume(partition)))
    }

    @Test func shutdownFinishesTheEventInFlightAndTakesNoMore() async throws {
        let processor = RecordingProcessor(blockAt: 2)
        let control = RecordingControl()
        let pipeline = makePipeline(processor: processor)
        pipeline.assign([partition], control: control)
        pipeline.receive(records(0..<10))
        try await eventually { processor.isBlocked }
        pipeline.stopTakingEvents()
        processor.unblock()
        #expect(await pipeline.waitForInFlightEvents(timeout: .seconds(30)))
        #expect(processor.offsets == [0, 1, 2])
        #expect(pipeline.revoke([partition], lost: false) == [TopicPartitionOffset(partition, offset: 3)])
    }

    @Test func shutdownTimeoutAbandonsAStuckEvent() async throws {
        let processor = RecordingProcessor(blockAt: 1)
        let control = RecordingControl()
        let pipeline = makePipeline(processor: processor)
        pipeline.assign([partition], control: control)
        pipeline.receive(records(0..<5))
        try await eventually { processor.isBlocked }
        pipeline.stopTakingEvents()
        #expect(await pipeline.waitForInFlightEvents(timeout: .milliseconds(200)) == false)
        pipeline.abandonInFlightEvents()
        #expect(pipeline.revoke([partition], lost: false) == [TopicPartitionOffset(partition, offset: 1)])
        processor.unblock()
    }

    @Test func flowControlCountsBufferedRecordsUntilTheyFinish() async throws {
        let processor = RecordingProcessor(blockAt: 0)
        let control = RecordingControl()
        let pipeline = makePipeline(processor: processor)
        pipeline.assign([partition], control: control)
        pipeline.receive(records(0..<100))
        try await eventually { processor.isBlocked }
        #expect(pipeline.recordsInFlight == 100)
        processor.unblock()
        try await eventually { control.lastStored(partition) == 100 }
        try await eventually { pipeline.recordsInFlight == 0 }
    }

    @Test func aPausedPartitionDoesNotHoldTheOthersBack() async throws {
        let other = TopicPartition(topic: "events", partition: 1)
        let processor = RecordingProcessor(failuresBeforeSuccess: [0: 1])
        let control = RecordingControl()
        let slowRetry = BackoffPolicy(maxAttempts: 3, baseDelay: .seconds(60), multiplier: 1, maximumDelay: .seconds(60), jitter: 0)
        let pipeline = EventPipeline(
            processor: processor, deadLetters: RecordingSink(),
            settings: PipelineSettings(retryPolicy: slowRetry, deadLetterBackoff: slowRetry, consumerGroup: "test-group"),
            logger: Logger(label: "test")
        )
        pipeline.assign([partition, other], control: control)
        pipeline.receive(records(0..<50))
        try await eventually { control.requests.contains(.pause(partition)) }
        #expect(pipeline.recordsInFlight == 0, "the waiting partition's 50 records do not count against the budget")
        pipeline.receive(records(0..<10, partition: other))
        try await eventually { control.lastStored(other) == 10 }
        _ = pipeline.revoke([partition, other], lost: false)
        #expect(pipeline.recordsInFlight == 0)
    }

    // MARK: Helpers

    func makePipeline(
        processor: any EventProcessor,
        sink: RecordingSink? = RecordingSink(),
        maxAttempts: Int = 3,
        maxBuffered: Int = 2_000,
        resumeBelow: Int = 500,
        executor: ProcessingExecutor = .shared
    ) -> EventPipeline {
        let fast = BackoffPolicy(maxAttempts: maxAttempts, baseDelay: .milliseconds(5), multiplier: 2, maximumDelay: .milliseconds(20), jitter: 0)
        return EventPipeline(
            processor: processor,
            deadLetters: sink,
            settings: PipelineSettings(
                retryPolicy: fast, deadLetterBackoff: fast, maxBufferedPerPartition: maxBuffered,
                resumeBufferedPerPartition: resumeBelow, consumerGroup: "test-group", haltReminderInterval: .seconds(60)
            ),
            logger: Logger(label: "test"),
            executor: executor
        )
    }

    /// Assigns `partition` to `pipeline`, hands it `records(offsets)` and waits until all of them are
    /// finished (the next offset after the last one is stored).
    func processAll(_ offsets: Range<Int>, through pipeline: EventPipeline, control: RecordingControl) async throws {
        pipeline.assign([partition], control: control)
        pipeline.receive(records(offsets))
        try await eventually { control.lastStored(partition) == Int64(offsets.upperBound) }
    }

    func records(_ offsets: Range<Int>, partition: TopicPartition? = nil) -> [KafkaRecord] {
        var generator = SyntheticEventGenerator(seed: 7)
        return offsets.map { offset in
            let event = generator.next()
            return KafkaRecord(
                topicPartition: partition ?? self.partition, offset: Int64(offset), key: event.key, value: event.value,
                timestampMilliseconds: 0
            )
        }
    }
}

/// Polls `condition` until it holds; fails the test after a generous bound (a hang guard, not a timing claim).
func eventually(timeout: Duration = .seconds(30), _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("condition not met within \(timeout)")
            throw CancellationError()
        }
        try await Task.sleep(for: .milliseconds(5))
    }
}

final class RecordingControl: ConsumerControl {
    enum Request: Equatable {
        case store(TopicPartition, Int64), pause(TopicPartition), resume(TopicPartition)
        var isStore: Bool { if case .store = self { true } else { false } }
    }
    private let log = Mutex<[Request]>([])
    var requests: [Request] { log.withLock { $0 } }
    func lastStored(_ partition: TopicPartition) -> Int64? {
        requests.reversed().lazy.compactMap { if case .store(partition, let offset) = $0 { offset } else { nil } }.first
    }
    func storeOffsets(_ offsets: [TopicPartitionOffset]) { log.withLock { $0 += offsets.map { .store($0.topicPartition, $0.offset) } } }
    func pause(_ partitions: [TopicPartition]) { log.withLock { $0 += partitions.map { .pause($0) } } }
    func resume(_ partitions: [TopicPartition]) { log.withLock { $0 += partitions.map { .resume($0) } } }
}

struct TransientFailure: Error {}

final class RecordingProcessor: EventProcessor {
    private struct State {
        var offsets: [Int64] = []
        var attempts: [Int64: Int] = [:]
        var blocked = false
        var gate: CheckedContinuation<Void, Never>?
        var released = false
    }
    private let state = Mutex(State())
    private let failuresBeforeSuccess: [Int64: Int]
    private let blockAt: Int64?

    init(failuresBeforeSuccess: [Int64: Int] = [:], blockAt: Int64? = nil) {
        self.failuresBeforeSuccess = failuresBeforeSuccess
        self.blockAt = blockAt
    }

    var offsets: [Int64] { state.withLock { $0.offsets } }
    var isBlocked: Bool { state.withLock { $0.blocked } }
    func attempts(at offset: Int64) -> Int { state.withLock { $0.attempts[offset] ?? 0 } }

    func unblock() {
        let gate = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.released = true
            defer { state.gate = nil }
            return state.gate
        }
        gate?.resume()
    }

    func process(_ event: EnrichedEvent, context: ProcessingContext) async throws {
        let attempt = state.withLock { state -> Int in
            state.attempts[context.offset, default: 0] += 1
            return state.attempts[context.offset]!
        }
        if context.offset == blockAt {
            await withCheckedContinuation { continuation in
                state.withLock { state in
                    if state.released { continuation.resume() } else { state.gate = continuation; state.blocked = true }
                }
            }
        }
        if attempt <= failuresBeforeSuccess[context.offset, default: 0] { throw TransientFailure() }
        state.withLock { $0.offsets.append(context.offset) }
    }
}

/// Records which entry point the pipeline used for each attempt; fails chosen offsets' first attempts.
final class EntryPointRecordingProcessor: SynchronousEventProcessor {
    enum EntryPoint { case synchronous, asynchronous }
    struct Call: Equatable {
        var offset: Int64
        var attempt: Int
        var entryPoint: EntryPoint
    }
    private let log = Mutex<[Call]>([])
    /// Offset -> how many attempts fail before one succeeds.
    private let failingAttempts: [Int64: Int]
    init(failingAttempts: [Int64: Int]) { self.failingAttempts = failingAttempts }
    var calls: [Call] { log.withLock { $0 } }

    func processSynchronously(_ event: EnrichedEvent, context: ProcessingContext) throws {
        try record(context, .synchronous)
    }

    func process(_ event: EnrichedEvent, context: ProcessingContext) async throws {
        try record(context, .asynchronous)
    }

    private func record(_ context: ProcessingContext, _ entryPoint: EntryPoint) throws {
        log.withLock { $0.append(Call(offset: context.offset, attempt: context.attempt, entryPoint: entryPoint)) }
        if context.attempt <= failingAttempts[context.offset, default: 0] { throw TransientFailure() }
    }
}

final class RecordingSink: DeadLetterSink {
    private let state = Mutex<(letters: [DeadLetter], attempts: Int)>(([], 0))
    private let failuresBeforeSuccess: Int
    init(failuresBeforeSuccess: Int = 0) { self.failuresBeforeSuccess = failuresBeforeSuccess }
    var letters: [DeadLetter] { state.withLock { $0.letters } }
    var sendAttempts: Int { state.withLock { $0.attempts } }
    func send(_ letter: DeadLetter) async throws {
        try state.withLock { state in
            state.attempts += 1
            guard state.attempts > failuresBeforeSuccess else { throw TransientFailure() }
            state.letters.append(letter)
        }
    }
}
