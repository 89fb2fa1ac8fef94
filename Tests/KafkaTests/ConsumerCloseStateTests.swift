import Testing

@testable import Kafka

/// The close's bookkeeping in the consumer's shared state (issue 11 items 5 and 8, issue 12's
/// failed-thread hazard), without librdkafka.
@Suite struct ConsumerCloseStateTests {
    @Test func theEarliestCloseDeadlineWinsAlsoAfterAnUnboundedClose() {
        var machine = ConsumerStateMachine()
        _ = machine.requestClose()
        #expect(machine.closeDeadline == nil)
        let later = ContinuousClock.now + .seconds(10)
        let earlier = ContinuousClock.now + .seconds(2)
        _ = machine.requestClose(deadline: later)
        _ = machine.requestClose(deadline: earlier)
        _ = machine.requestClose(deadline: later)
        #expect(machine.closeDeadline == earlier)
    }

    @Test func aRunWhosePollThreadCouldNotStartGoesBackToNeverRan() {
        var machine = ConsumerStateMachine()
        guard case .startPollThread = machine.startRun(completion: { _ in }) else {
            Issue.record("expected to start the poll thread")
            return
        }
        machine.abandonRun()
        // `created` again: `KafkaConsumer.deinit` destroys the handle (on a thread of its own).
        guard case .created = machine.lifecycle else {
            Issue.record("expected created, got \(machine.lifecycle)")
            return
        }
    }

    @Test func positionsStoredAtCloseAreKeptForACallerThatStopsWaiting() {
        var machine = ConsumerStateMachine()
        let stored = [TopicPartitionOffset(TopicPartition(topic: "events", partition: 1), offset: 42)]
        machine.recordStoredAtClose(stored)
        #expect(machine.storedAtClose == stored)
    }
}
