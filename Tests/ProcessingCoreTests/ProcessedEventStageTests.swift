import EventModel
import Kafka
import Logging
import Testing

@testable import ProcessingCore

/// A `ProcessedEventStage` after the processor: what it is given, and that offsets wait for it.
@Suite struct ProcessedEventStageTests {
    let partition = TopicPartition(topic: "events", partition: 0)
    let helpers = EventPipelineTests()

    /// A pipeline with `stage` after the processor, `partition` assigned, `records` received, and the
    /// stage given everything up to the last record.
    func run(
        _ records: [KafkaRecord], stage: HoldingStage, processor: RecordingProcessor = RecordingProcessor(),
        sink: RecordingSink = RecordingSink(), control: RecordingControl
    ) async throws -> EventPipeline {
        let pipeline = helpers.makePipeline(processor: processor, sink: sink, stage: stage)
        pipeline.assign([partition], control: control)
        pipeline.receive(records)
        let through = (records.last?.offset ?? -1) + 1
        try await eventually { stage.through(partition) == through }
        return pipeline
    }

    @Test func offsetsAreStoredOnlyWhenTheStageMarksTheWorkFinished() async throws {
        let stage = HoldingStage()
        let control = RecordingControl()
        let processor = RecordingProcessor()
        let pipeline = try await run(helpers.records(0..<10), stage: stage, processor: processor, control: control)
        #expect(processor.offsets == Array(0..<10))
        #expect(control.lastStored(partition) == nil, "processed, but not finished until the stage says so")
        #expect(pipeline.revoke([partition], lost: false).isEmpty, "a revoke now has nothing finished to store")
        stage.markAllFinished()
        #expect(control.lastStored(partition) == nil, "marked after the revoke: ignored")
    }

    @Test func marksStoreTheWorksPositionAndAreNeverUndone() async throws {
        let stage = HoldingStage()
        let control = RecordingControl()
        let pipeline = try await run(helpers.records(0..<4), stage: stage, control: control)
        pipeline.receive(helpers.records(4..<9))
        try await eventually { stage.through(partition) == 9 }
        let works = stage.works
        #expect(works.map(\.through) == [4, 9])
        works[1].markFinished()
        #expect(control.lastStored(partition) == 9)
        works[0].markFinished()
        #expect(control.requests.filter(\.isStore) == [.store(partition, 9)], "an earlier work does not move the position back")
        #expect(pipeline.revoke([partition], lost: false) == [TopicPartitionOffset(partition, offset: 9)])
    }

    @Test func worksCarryTheProcessedEventsInOrderAndCoverDeadLetteredRecords() async throws {
        let stage = HoldingStage()
        let control = RecordingControl()
        let sink = RecordingSink()
        var batch = helpers.records(0..<6)
        batch[2].value = nil
        batch[5].value = Array("not json".utf8)
        _ = try await run(batch, stage: stage, sink: sink, control: control)
        let works = stage.works
        #expect(works.flatMap(\.events).map(\.record.offset) == [0, 1, 3, 4])
        #expect(works.allSatisfy { $0.topicPartition == partition })
        #expect(works.last?.events.isEmpty == true, "the dead-lettered last record: a work with no event")
        #expect(sink.letters.map(\.record.offset) == [2, 5])
        let first = try #require(works.first?.events.first)
        #expect(first.record.value == batch[0].value, "the value as received")
        #expect(first.event.eventID.isEmpty == false)
        #expect(control.lastStored(partition) == nil, "dead letters do not pass held work")
        stage.markAllFinished()
        #expect(control.lastStored(partition) == 6)
    }

    @Test func aStageThatWaitsHoldsItsPartitionBackByBackpressure() async throws {
        let stage = HoldingStage(blockFirstAccept: true)
        let control = RecordingControl()
        let pipeline = helpers.makePipeline(processor: RecordingProcessor(), stage: stage, maxBuffered: 10, resumeBelow: 2)
        pipeline.assign([partition], control: control)
        pipeline.receive(helpers.records(0..<5))
        try await eventually { stage.isBlocked }
        pipeline.receive(helpers.records(5..<20))
        #expect(control.requests == [.pause(partition)], "records given to a waiting stage still count as buffered")
        #expect(pipeline.recordsInFlight == 0, "a paused partition does not hold the poll thread back")
        stage.unblock()
        try await eventually { stage.through(partition) == 20 }
        try await eventually { control.requests.contains(.resume(partition)) }
        stage.markAllFinished()
        #expect(control.lastStored(partition) == 20)
    }

    @Test func shutdownDrainsTheStageAfterTheWorkersFinished() async throws {
        let stage = HoldingStage()
        let control = RecordingControl()
        let pipeline = try await run(helpers.records(0..<7), stage: stage, control: control)
        pipeline.stopTakingEvents()
        #expect(await pipeline.waitForInFlightEvents(timeout: .seconds(30)))
        #expect(stage.drains == 1)
        #expect(control.lastStored(partition) == 7, "what the drain marked finished is stored")
        #expect(pipeline.revoke([partition], lost: false) == [TopicPartitionOffset(partition, offset: 7)])
    }
}
