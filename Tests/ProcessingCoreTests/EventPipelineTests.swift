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
        let log = LogCapture()
        // Reminders every few milliseconds: each one is a sign that the halted worker went round its
        // wait again, so the checks below run after it had every chance to go on (and must not have).
        let pipeline = makePipeline(processor: processor, sink: nil, haltReminder: .milliseconds(2), logger: log.logger())
        pipeline.assign([partition], control: control)
        var batch = records(0..<5)
        batch[2].value = Array("not json".utf8)
        pipeline.receive(batch)
        try await eventually { log.count(containing: "Partition stopped") >= 3 }
        #expect(pipeline.statistics.halted == 1)
        #expect(processor.offsets == [0, 1])
        #expect(control.requests.filter { !$0.isStore } == [.pause(partition)], "paused once, never resumed")
        #expect(control.lastStored(partition) == 2, "the work before the halted record is stored")
        #expect(pipeline.revoke([partition], lost: false) == [TopicPartitionOffset(partition, offset: 2)])
    }

    @Test func revokeReturnsFinishedWorkAndDropsLateResults() async throws {
        let processor = RecordingProcessor(blockAt: 3)
        let control = RecordingControl()
        let worker = makeWorker(processor: processor, control: control)
        worker.start()
        worker.enqueue(records(0..<10)[...])
        try await eventually { processor.isBlocked }
        #expect(worker.revoke() == 3)
        let requestsAtRevoke = control.requests
        processor.unblock()
        // The worker's task ends once the blocked event returned: everything it did after the revoke is done.
        await worker.waitUntilFinished()
        #expect(processor.offsets == [0, 1, 2, 3])
        #expect(control.requests == requestsAtRevoke, "nothing requested after revoke")
        #expect(worker.revoke() == 3, "the late result did not move the position either")
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
        try await receiveUntilBlocked(0..<12, through: pipeline, control: control, processor: processor)
        #expect(control.requests.contains(.pause(partition)))
        processor.unblock()
        try await eventually { control.lastStored(partition) == 12 }
        #expect(control.requests.contains(.resume(partition)))
    }

    @Test func shutdownFinishesTheEventInFlightAndTakesNoMore() async throws {
        let processor = RecordingProcessor(blockAt: 2)
        let control = RecordingControl()
        let pipeline = makePipeline(processor: processor)
        try await receiveUntilBlocked(0..<10, through: pipeline, control: control, processor: processor)
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
        try await receiveUntilBlocked(0..<5, through: pipeline, control: control, processor: processor)
        pipeline.stopTakingEvents()
        #expect(await pipeline.waitForInFlightEvents(timeout: .milliseconds(200)) == false)
        pipeline.abandonInFlightEvents()
        // The abandoned event finishes after all; its result is dropped, also when the consumer's close
        // asks for the finished positions afterwards.
        processor.unblock()
        #expect(await pipeline.waitForInFlightEvents(timeout: .seconds(30)))
        #expect(processor.offsets == [0, 1])
        #expect(pipeline.revoke([partition], lost: false) == [TopicPartitionOffset(partition, offset: 1)])
    }

    @Test func flowControlCountsBufferedRecordsUntilTheyFinish() async throws {
        let processor = RecordingProcessor(blockAt: 0)
        let control = RecordingControl()
        let pipeline = makePipeline(processor: processor)
        try await receiveUntilBlocked(0..<100, through: pipeline, control: control, processor: processor)
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
        stage: (any ProcessedEventStage)? = nil,
        maxAttempts: Int = 3,
        maxBuffered: Int = 2_000,
        resumeBelow: Int = 500,
        haltReminder: Duration = .seconds(60),
        logger: Logger = Logger(label: "test"),
        executor: ProcessingExecutor = .shared
    ) -> EventPipeline {
        EventPipeline(
            processor: processor,
            deadLetters: sink,
            settings: settings(maxAttempts: maxAttempts, maxBuffered: maxBuffered, resumeBelow: resumeBelow, haltReminder: haltReminder),
            logger: logger,
            processedEvents: stage,
            executor: executor
        )
    }

    /// One partition's worker on its own, without a pipeline around it (not started).
    func makeWorker(processor: any EventProcessor, control: RecordingControl, sink: RecordingSink? = RecordingSink()) -> PartitionWorker {
        let settings = settings()
        return PartitionWorker(
            partition: AssignedPartition(partition, control: control, flow: FlowControl(limit: 2_048), settings: settings),
            processor: processor, deadLetters: sink, stage: nil, settings: settings, statistics: ProcessingStatistics(),
            executor: .shared, logger: Logger(label: "test")
        )
    }

    func settings(maxAttempts: Int = 3, maxBuffered: Int = 2_000, resumeBelow: Int = 500, haltReminder: Duration = .seconds(60)) -> PipelineSettings {
        let fast = BackoffPolicy(maxAttempts: maxAttempts, baseDelay: .milliseconds(5), multiplier: 2, maximumDelay: .milliseconds(20), jitter: 0)
        return PipelineSettings(
            retryPolicy: fast, deadLetterBackoff: fast, maxBufferedPerPartition: maxBuffered,
            resumeBufferedPerPartition: resumeBelow, consumerGroup: "test-group", haltReminderInterval: haltReminder
        )
    }

    /// Assigns `partition` to `pipeline`, hands it `records(offsets)` and waits until all of them are
    /// finished (the next offset after the last one is stored).
    func processAll(_ offsets: Range<Int>, through pipeline: EventPipeline, control: RecordingControl) async throws {
        pipeline.assign([partition], control: control)
        pipeline.receive(records(offsets))
        try await eventually { control.lastStored(partition) == Int64(offsets.upperBound) }
    }

    /// Assigns `partition` to `pipeline`, hands it `records(offsets)` and waits until `processor` is
    /// blocked in the event it was made to block at.
    func receiveUntilBlocked(
        _ offsets: Range<Int>, through pipeline: EventPipeline, control: RecordingControl, processor: RecordingProcessor
    ) async throws {
        pipeline.assign([partition], control: control)
        pipeline.receive(records(offsets))
        try await eventually { processor.isBlocked }
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
