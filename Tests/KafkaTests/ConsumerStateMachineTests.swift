import Synchronization
import Testing

@testable import Kafka

/// The consumer's shared state, without librdkafka: request ordering, wake-up coalescing, the handle's
/// lifetime across close, and assignment bookkeeping.
@Suite struct ConsumerStateMachineTests {
    private let partition0 = TopicPartition(topic: "events", partition: 0)
    private let partition1 = TopicPartition(topic: "events", partition: 1)
    private let partition2 = TopicPartition(topic: "events", partition: 2)

    @Test func requestsBeforeRunAreKeptWithoutWakingAnything() {
        var machine = ConsumerStateMachine()
        #expect(isNone(machine.enqueue(.commit)))
        #expect(isNone(machine.requestClose()))
        #expect(machine.isCloseRequested)
        #expect(machine.takeRequests().count == 1)
    }

    @Test func oneWakeUpPerIterationAndRequestsKeepTheirOrder() {
        var machine = runningMachine(RunOutcomes())
        #expect(isWake(machine.enqueue(.storeOffsets([TopicPartitionOffset(partition0, offset: 5)]))))
        #expect(isNone(machine.enqueue(.pause([partition0]))))
        #expect(isNone(machine.enqueue(.commit)))
        #expect(isNone(machine.endNativeCall()))

        let requests = machine.takeRequests()
        guard requests.count == 3, case .storeOffsets = requests[0], case .pause = requests[1],
            case .commit = requests[2]
        else {
            Issue.record("expected store, pause, commit in order, got \(requests)")
            return
        }
        // Once the poll thread took the requests, the next request needs a new wake-up.
        #expect(isWake(machine.enqueue(.commit)))
        #expect(isNone(machine.requestClose()), "a wake-up is already pending")
    }

    @Test func runCanStartOnlyOnce() {
        let outcomes = RunOutcomes()
        var machine = runningMachine(outcomes)
        guard case .fail(let error) = machine.startRun(completion: outcomes.record) else {
            Issue.record("a second run() must fail")
            return
        }
        #expect(error.kind == .closed)
    }

    @Test func closeWithoutNativeCallsInFlightDestroysAtOnce() {
        let outcomes = RunOutcomes()
        var machine = runningMachine(outcomes)
        guard case .destroyHandle(let completion) = machine.closeFinished() else {
            Issue.record("nothing in flight: the poll thread destroys the handle right away")
            return
        }
        completion(.success(()))
        #expect(outcomes.count == 1)
        let began = machine.beginNativeCall()
        #expect(!began, "no native call may start once the handle is destroyed")
    }

    @Test func handleOutlivesNativeCallsThatAreInFlightAtClose() {
        let outcomes = RunOutcomes()
        var machine = runningMachine(outcomes)
        let began = machine.beginNativeCall()
        #expect(began)
        guard case .waitForNativeCalls = machine.closeFinished() else {
            Issue.record("closing with a native call in flight must wait for it")
            return
        }
        let beganWhileDraining = machine.beginNativeCall()
        #expect(!beganWhileDraining, "no native call may start while draining")
        #expect(isNone(machine.enqueue(.commit)), "requests after close are dropped")
        guard case .resumeDrainingPollThread = machine.endNativeCall() else {
            Issue.record("the last native call must resume the draining poll thread")
            return
        }
        machine.drained()(.success(()))
        #expect(outcomes.count == 1)
        guard case .finished = machine.lifecycle else {
            Issue.record("expected finished, got \(machine.lifecycle)")
            return
        }
    }

    @Test func assignmentAndPausedStateFollowRebalances() {
        var machine = ConsumerStateMachine()
        machine.didAssign([partition0, partition1], incremental: true)
        let paused = machine.markPaused([partition0, partition2])
        #expect(paused == [partition0], "only assigned partitions pause")
        let pausedAgain = machine.markPaused([partition0])
        #expect(pausedAgain.isEmpty, "pausing twice is a no-op")

        let offsets = [TopicPartitionOffset(partition1, offset: 3), TopicPartitionOffset(partition2, offset: 9)]
        #expect(machine.filterAssigned(offsets) == [TopicPartitionOffset(partition1, offset: 3)])

        let pausedAndRevoked = machine.didRevoke([partition0], incremental: true)
        #expect(pausedAndRevoked == [partition0])
        #expect(machine.assignment == [partition1])
        let resumed = machine.markResumed([partition0])
        #expect(resumed.isEmpty, "a revoked partition is no longer paused")

        machine.didAssign([partition2], incremental: true)
        #expect(machine.assignment == [partition1, partition2])
        machine.didAssign([partition0], incremental: false)
        #expect(machine.assignment == [partition0], "an eager assignment replaces the whole assignment")
        _ = machine.markPaused([partition0])
        let eagerlyRevoked = machine.didRevoke([partition0], incremental: false)
        #expect(eagerlyRevoked == [partition0])
        #expect(machine.assignment.isEmpty)
    }

    // MARK: Helpers

    /// Counts `run()` completions, which must happen exactly once.
    final class RunOutcomes: Sendable {
        private let completions = Mutex(0)
        var count: Int { completions.withLock { $0 } }
        var record: ConsumerStateMachine.RunCompletion {
            { [self] _ in completions.withLock { $0 += 1 } }
        }
    }

    private func runningMachine(_ outcomes: RunOutcomes) -> ConsumerStateMachine {
        var machine = ConsumerStateMachine()
        guard case .startPollThread = machine.startRun(completion: outcomes.record) else {
            Issue.record("startRun must start the poll thread")
            return machine
        }
        return machine
    }

    private func isNone(_ action: ConsumerStateMachine.WakeAction) -> Bool {
        if case .none = action { return true }
        return false
    }

    private func isNone(_ action: ConsumerStateMachine.EndNativeCallAction) -> Bool {
        if case .none = action { return true }
        return false
    }

    private func isWake(_ action: ConsumerStateMachine.WakeAction) -> Bool {
        if case .wakePollThread = action { return true }
        return false
    }
}
