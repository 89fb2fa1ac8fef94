import Foundation
import Synchronization
import Testing

@testable import ProcessingCore

/// `FlowControl` on its own: the count, and holding the poll thread back while over the limit.
@Suite struct FlowControlTests {
    @Test func countsWhatIsAdjusted() {
        let flow = FlowControl(limit: 10)
        flow.adjust(by: 7)
        flow.adjust(by: 0)
        flow.adjust(by: -3)
        #expect(flow.count == 4)
    }

    @Test func doesNotHoldBackWithinTheLimit() {
        let flow = FlowControl(limit: 10)
        flow.adjust(by: 10)
        let started = ContinuousClock.now
        flow.waitForRoom(maximumWait: 30)
        // Had it waited, it would have taken the whole 30 s.
        #expect(ContinuousClock.now - started < .seconds(15))
    }

    @Test func overTheLimitWaitsAtMostTheMaximumWait() {
        let flow = FlowControl(limit: 10)
        flow.adjust(by: 11)
        let started = ContinuousClock.now
        flow.waitForRoom(maximumWait: 0.05)
        #expect(ContinuousClock.now - started >= .milliseconds(50))
        #expect(flow.waitingCount == 0)
    }

    @Test func aWaiterIsWokenWhenTheCountFallsToTheLimit() async throws {
        let flow = FlowControl(limit: 10)
        flow.adjust(by: 15)
        let returned = Atomic<Bool>(false)
        let started = ContinuousClock.now
        let waiter = Thread {
            flow.waitForRoom(maximumWait: 60)
            returned.store(true, ordering: .releasing)
        }
        waiter.start()
        try await eventually { flow.waitingCount == 1 }
        flow.adjust(by: -4)
        #expect(flow.waitingCount == 1, "still over the limit: still waiting")
        flow.adjust(by: -1)
        try await eventually { returned.load(ordering: .acquiring) }
        // Woken by the adjustment, not by the 60 s bound.
        #expect(ContinuousClock.now - started < .seconds(30))
        #expect(flow.waitingCount == 0)
    }
}
