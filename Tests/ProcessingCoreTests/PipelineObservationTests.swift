import Kafka
import Testing

@testable import ProcessingCore

/// What the pipeline reports to observers (issue 13): per-partition progress (consumed, next offset to
/// process, pause reasons), counts by failure class, retries, and the latency histograms — driven
/// directly, without a broker.
@Suite struct PipelineObservationTests {
    let helpers = EventPipelineTests()
    var partition: TopicPartition { helpers.partition }

    @Test func haltedPartitionReportsItsNextOffsetAndWhyItIsPaused() async throws {
        let control = RecordingControl()
        let pipeline = helpers.makePipeline(processor: RecordingProcessor(), sink: nil)
        pipeline.assign([partition], control: control)
        var batch = helpers.records(0..<5)
        batch[2].value = Array("not json".utf8)
        pipeline.receive(batch)
        try await eventually { pipeline.partitionProgress()[partition]?.pauseReasons == ["halted"] }
        let progress = try #require(pipeline.partitionProgress()[partition])
        #expect(progress.nextOffset == 2, "the poison record is the next to process")
        #expect(progress.consumed == 5)
        #expect(pipeline.statistics.halted == 1)
        _ = pipeline.revoke([partition], lost: false)
        #expect(pipeline.partitionProgress().isEmpty)
    }

    @Test func beforeAnythingFinishedTheNextOffsetIsTheFirstReceived() async throws {
        let processor = RecordingProcessor(blockAt: 10)
        let control = RecordingControl()
        let pipeline = helpers.makePipeline(processor: processor)
        pipeline.assign([partition], control: control)
        #expect(pipeline.partitionProgress()[partition] == PartitionProgress(consumed: 0, nextOffset: nil, pauseReasons: []))
        pipeline.receive(helpers.records(10..<12))
        try await eventually { processor.attempts(at: 10) == 1 }
        #expect(pipeline.partitionProgress()[partition]?.nextOffset == 10)
        processor.unblock()
        try await eventually { control.lastStored(partition) == 12 }
        #expect(pipeline.partitionProgress()[partition]?.nextOffset == 12)
        _ = pipeline.revoke([partition], lost: false)
    }

    @Test func consumedCountsSurviveARevokeAndReassign() async throws {
        let control = RecordingControl()
        let pipeline = helpers.makePipeline(processor: RecordingProcessor())
        try await helpers.processAll(0..<5, through: pipeline, control: control)
        _ = pipeline.revoke([partition], lost: false)
        #expect(pipeline.consumedByPartition(current: pipeline.partitionProgress()) == [partition: 5])
        pipeline.assign([partition], control: control)
        pipeline.receive(helpers.records(5..<8))
        try await eventually { control.lastStored(partition) == 8 }
        let progress = pipeline.partitionProgress()
        #expect(progress[partition]?.consumed == 3, "since this assignment")
        #expect(pipeline.consumedByPartition(current: progress) == [partition: 8], "since the service started")
        _ = pipeline.revoke([partition], lost: false)
    }

    @Test func failuresAreCountedByClassWithRetries() async throws {
        let control = RecordingControl()
        let sink = RecordingSink()
        // Offset 1 fails twice then succeeds; offset 3 fails every attempt (3) and is dead-lettered.
        let processor = RecordingProcessor(failuresBeforeSuccess: [1: 2, 3: 10])
        let pipeline = helpers.makePipeline(processor: processor, sink: sink)
        var batch = helpers.records(0..<6)
        batch[5].value = Array("{".utf8)
        pipeline.assign([partition], control: control)
        pipeline.receive(batch)
        try await eventually { control.lastStored(partition) == 6 }
        let statistics = pipeline.statistics
        #expect(statistics.failedAttemptsByClass == [.processingFailed: 5])
        #expect(statistics.retries == 4, "two retries of offset 1, two of offset 3")
        #expect(statistics.deadLettersByClass == [.processingFailed: 1, "invalid_json": 1])
        #expect(statistics.processed == 4)
        // Every attempt is in the duration histogram (first attempts sampled, retries exact); every
        // finished record (processed or dead-lettered) in the age histogram.
        #expect(statistics.histograms.processingDuration.snapshot().count == 5 + 4)
        #expect(statistics.histograms.eventAge.snapshot().count == 4 + 2)
        _ = pipeline.revoke([partition], lost: false)
    }

    @Test func histogramsCountEveryFirstAttemptAcrossSlices() async throws {
        let control = RecordingControl()
        let pipeline = helpers.makePipeline(processor: RecordingProcessor())
        pipeline.assign([partition], control: control)
        for start in stride(from: 0, to: 300, by: 100) {
            pipeline.receive(helpers.records(start..<(start + 100)))
        }
        try await eventually { control.lastStored(partition) == 300 }
        let durations = pipeline.statistics.histograms.processingDuration.snapshot()
        #expect(durations.count == 300)
        #expect(durations.buckets.reduce(0, +) == 300, "buckets add up to the count")
        #expect(durations.cumulative.last == 300)
        #expect(pipeline.statistics.histograms.eventAge.snapshot().count == 300)
        _ = pipeline.revoke([partition], lost: false)
    }

    @Test func samplerTimesOneAttemptInIntervalAndTheFirstOfEachSlice() {
        let histograms = PipelineHistograms()
        var sampler = AttemptSampler(histograms: histograms)
        var timed = 0
        for _ in 0..<100 {
            let started = sampler.attemptBegins()
            if started != nil { timed += 1 }
            sampler.attemptEnded(started: started, succeeded: true, timestamp: AttemptSampler.wallClockMilliseconds())
        }
        #expect(timed == 4, "attempts 1, 33, 65 and 97 of 100")
        sampler.merge()
        let durations = histograms.processingDuration.snapshot()
        #expect(durations.count == 100)
        #expect(durations.buckets.reduce(0, +) == 100)
        let ages = histograms.eventAge.snapshot()
        #expect(ages.count == 100)
        #expect(ages.cumulative[1] == 100, "ages of events stamped just now are under 10 ms")
        #expect(sampler.attemptBegins() != nil, "the next slice's first attempt is timed")
    }
}
