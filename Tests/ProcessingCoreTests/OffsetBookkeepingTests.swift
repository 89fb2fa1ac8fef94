import Kafka
import Testing

@testable import ProcessingCore

/// The finished position (`FinishedPosition`) and the store requests `AssignedPartition` makes from
/// it: stored only when asked, never after a revoke, never backwards.
@Suite struct OffsetBookkeepingTests {
    let partition = TopicPartition(topic: "events", partition: 3)

    func assigned(_ control: RecordingControl, maxBuffered: Int = 2_000, resumeBelow: Int = 500, flow: FlowControl = FlowControl(limit: 100)) -> AssignedPartition {
        let fast = BackoffPolicy(maxAttempts: 3, baseDelay: .milliseconds(5), multiplier: 2, maximumDelay: .milliseconds(20), jitter: 0)
        let settings = PipelineSettings(
            retryPolicy: fast, deadLetterBackoff: fast, maxBufferedPerPartition: maxBuffered,
            resumeBufferedPerPartition: resumeBelow, consumerGroup: "test-group")
        return AssignedPartition(partition, control: control, flow: flow, settings: settings)
    }

    func records(_ offsets: Range<Int64>) -> ArraySlice<KafkaRecord> {
        offsets.map { KafkaRecord(topicPartition: partition, offset: $0, key: nil, value: [1], timestampMilliseconds: nil) }[...]
    }

    @Test func thePositionIsTheNextOffsetAfterTheLastFinishedRecord() {
        let position = FinishedPosition()
        #expect(position.value == nil)
        position.finished(offset: 0)
        #expect(position.value == 1)
        position.finished(offset: 41)  // a gap (compaction): only finished offsets move it
        #expect(position.value == 42)
    }

    @Test func advanceOnlyMovesForward() {
        let position = FinishedPosition()
        let moves = [position.advance(to: 10), position.advance(to: 10), position.advance(to: 4)]
        #expect(moves == [true, false, false])
        #expect(position.value == 10)
    }

    @Test func settleStoresThePositionOnlyWhenAsked() {
        let control = RecordingControl()
        let assigned = assigned(control)
        assigned.enqueue(records(0..<3))
        assigned.finished.finished(offset: 0)
        assigned.settle(records: 1, storePosition: false)
        #expect(control.requests.isEmpty)
        assigned.finished.finished(offset: 1)
        assigned.settle(records: 1, storePosition: true)
        #expect(control.requests == [.store(partition, 2)])
    }

    @Test func revokeReturnsThePositionAndNothingIsStoredAfterIt() {
        let control = RecordingControl()
        let assigned = assigned(control)
        assigned.enqueue(records(0..<5))
        assigned.finished.finished(offset: 1)
        #expect(assigned.revoke() == 2)
        assigned.finished.finished(offset: 2)  // the event in flight finishing after the revoke
        assigned.settle(records: 3, storePosition: true)
        assigned.release(through: 5)
        assigned.setPause(.retryBackoff)
        #expect(control.requests.isEmpty, "nothing requested for a revoked partition")
    }

    @Test func aRevokeBeforeAnythingFinishedHasNoPosition() {
        let assigned = assigned(RecordingControl())
        #expect(assigned.revoke() == nil)
    }

    @Test func releasesStoreOnceAndNeverBackwards() {
        let control = RecordingControl()
        let assigned = assigned(control)
        assigned.release(through: 7)
        assigned.release(through: 3)
        assigned.release(through: 7)
        assigned.release(through: 9)
        #expect(control.requests == [.store(partition, 7), .store(partition, 9)])
    }

    @Test func aStoppingPartitionStillStoresItsFinishedWork() {
        let control = RecordingControl()
        let assigned = assigned(control)
        assigned.enqueue(records(0..<2))
        #expect(assigned.stop() == false, "not waiting on a backoff")
        assigned.finished.finished(offset: 0)
        assigned.settle(records: 1, storePosition: true)
        assigned.release(through: 2)
        #expect(control.requests == [.store(partition, 1), .store(partition, 2)])
        #expect(assigned.revoke() == 2)
    }

    @Test func backpressurePausesOnceAndResumesBelowTheResumeMark() {
        let control = RecordingControl()
        let flow = FlowControl(limit: 100)
        let assigned = assigned(control, maxBuffered: 4, resumeBelow: 1, flow: flow)
        assigned.enqueue(records(0..<3))
        #expect(flow.count == 3)
        assigned.enqueue(records(3..<5))
        assigned.enqueue(records(5..<6))
        #expect(control.requests == [.pause(partition)])
        #expect(flow.count == 0, "a paused partition's records do not count against the pipeline's budget")
        assigned.settle(records: 4, storePosition: false)
        #expect(control.requests == [.pause(partition)], "2 left: above the resume mark")
        assigned.settle(records: 1, storePosition: false)
        #expect(control.requests == [.pause(partition), .resume(partition)])
        #expect(flow.count == 1)
    }

    @Test func revokeAndStopTakeThePartitionsRecordsOutOfTheFlowCount() {
        let flow = FlowControl(limit: 100)
        let first = assigned(RecordingControl(), flow: flow)
        let second = AssignedPartition(
            TopicPartition(topic: "events", partition: 4), control: RecordingControl(), flow: flow,
            settings: PipelineSettings(retryPolicy: .default, deadLetterBackoff: .default, consumerGroup: "test-group"))
        first.enqueue(records(0..<10))
        second.enqueue(records(0..<5))
        #expect(flow.count == 15)
        _ = first.revoke()
        #expect(flow.count == 5)
        _ = second.stop()
        #expect(flow.count == 0)
    }

    @Test func aStoppingPartitionIsNotResumed() {
        let control = RecordingControl()
        let assigned = assigned(control)
        assigned.setPause(.retryBackoff)
        _ = assigned.stop()
        assigned.clearPause(.retryBackoff)
        #expect(control.requests == [.pause(partition)])
    }
}
