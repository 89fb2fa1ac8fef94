import Kafka
import Logging
import Testing

@testable import ProcessingCore

/// `SinkStage` behind a real `EventPipeline`: the partition's offsets are stored only once the store has
/// the events, a store that is down holds them back, and a partition assigned again starts afresh.
@Suite("SinkStage: the pipeline's offsets wait for the store")
struct SinkStageTests {
    let partition = TopicPartition(topic: "events", partition: 0)
    let helpers = EventPipelineTests()

    func makeStage(_ sink: ScriptedSink, batchSize: Int = 5, timeout: Duration = .seconds(3600)) -> SinkStage {
        SinkStage(
            sink: sink, deadLetters: CollectingDeadLetters(), settings: SinkBatcherTests.settings(size: batchSize, timeout: timeout),
            logger: Logger(label: "test"))
    }

    @Test("offsets are stored only after the store took the events, and not while it is down")
    func offsetsFollowDurableWrites() async throws {
        let sink = ScriptedSink(releases: Releases())
        sink.failNext(.max)
        let stage = makeStage(sink)
        let running = Task { await stage.run() }
        defer { running.cancel() }
        let control = RecordingControl()
        let pipeline = helpers.makePipeline(processor: RecordingProcessor(), stage: stage)
        pipeline.assign([partition], control: control)
        pipeline.receive(helpers.records(0..<10))
        _ = try await sink.attempts.next("a first (failing) write")
        _ = try await sink.attempts.next("a second (failing) write")
        #expect(control.lastStored(partition) == nil, "the store is down: nothing may be committed")
        #expect(!stage.isStoreReachable)
        sink.failNext(0)
        try await eventually { control.lastStored(partition) == 10 }
        #expect(sink.stored.count == 10)
        #expect(stage.isStoreReachable)
        pipeline.stopTakingEvents()
        #expect(await pipeline.waitForInFlightEvents(timeout: .seconds(30)))
    }

    @Test("drain writes what is held at once (not at the batch timeout) and marks it finished")
    func drainFlushes() async throws {
        let sink = ScriptedSink(releases: Releases())
        let stage = makeStage(sink, batchSize: 1000)
        let running = Task { await stage.run() }
        defer { running.cancel() }
        let control = RecordingControl()
        let pipeline = helpers.makePipeline(processor: RecordingProcessor(), stage: stage)
        pipeline.assign([partition], control: control)
        pipeline.receive(helpers.records(0..<7))
        try await eventually { stage.batcher.pendingEvents == 7 }
        pipeline.stopTakingEvents()
        #expect(await pipeline.waitForInFlightEvents(timeout: .seconds(30)))
        #expect(control.lastStored(partition) == 7)
        #expect(sink.stored.count == 7)
    }

    @Test("a partition revoked and assigned again: the new assignment's work is stored and released on its own")
    func reassignedPartition() async throws {
        let sink = ScriptedSink(releases: Releases())
        let stage = makeStage(sink, batchSize: 3, timeout: .milliseconds(20))
        let running = Task { await stage.run() }
        defer { running.cancel() }
        let control = RecordingControl()
        let pipeline = helpers.makePipeline(processor: RecordingProcessor(), stage: stage)
        pipeline.assign([partition], control: control)
        pipeline.receive(helpers.records(0..<3))
        try await eventually { control.lastStored(partition) == 3 }
        _ = pipeline.revoke([partition], lost: false)
        // Assigned again from an older committed offset (another member's commit): redelivered events.
        let again = RecordingControl()
        pipeline.assign([partition], control: again)
        pipeline.receive(Array(helpers.records(0..<6).dropFirst()))
        try await eventually { again.lastStored(partition) == 6 }
        #expect(sink.stored.count == 6, "offsets 0..<6 once each: the redelivered 1 and 2 were duplicates")
        #expect(control.lastStored(partition) == 3, "nothing more for the old assignment")
    }

    @Test("the stage holds at most its limit: a producer waits in accept while the store is down")
    func backpressure() async throws {
        let sink = ScriptedSink(releases: Releases())
        sink.failNext(.max)
        let stage = SinkStage(
            sink: sink, deadLetters: nil, settings: SinkBatcherTests.settings(size: 4), logger: Logger(label: "test"),
            maxPendingEvents: 8)
        let running = Task { await stage.run() }
        defer { running.cancel() }
        let control = RecordingControl()
        let pipeline = helpers.makePipeline(processor: RecordingProcessor(), stage: stage, maxBuffered: 20, resumeBelow: 5)
        pipeline.assign([partition], control: control)
        // In runs of 4, as polls deliver them: the worker hands over a run at a time and waits once the
        // stage holds its limit; the rest wait in the pipeline, which pauses the partition.
        let records = helpers.records(0..<40)
        for start in stride(from: 0, to: 40, by: 4) { pipeline.receive(Array(records[start..<start + 4])) }
        try await eventually { control.requests.contains(.pause(partition)) && stage.batcher.pendingEvents >= 8 }
        _ = try await sink.attempts.next("a failed write")
        _ = try await sink.attempts.next("another failed write")
        #expect(stage.batcher.pendingEvents == 8, "the worker waits in accept instead of handing over everything")
        sink.failNext(0)
        try await eventually { control.lastStored(partition) == 40 }
        #expect(control.requests.contains(.resume(partition)))
    }
}
