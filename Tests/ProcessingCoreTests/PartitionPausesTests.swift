import Testing

@testable import ProcessingCore

/// `PartitionPauses`: one pause request for the first reason, one resume for the last.
@Suite struct PartitionPausesTests {
    @Test func pausesOnTheFirstReasonAndResumesOnlyWhenTheLastClears() {
        var pauses = PartitionPauses()
        #expect(pauses.add(.backpressure, mayRequest: true) == .pause)
        #expect(pauses.add(.retryBackoff, mayRequest: true) == .none)
        #expect(pauses.add(.retryBackoff, mayRequest: true) == .none)
        #expect(pauses.remove(.retryBackoff, mayResume: true) == .none, "backpressure still holds")
        #expect(pauses.isPaused)
        #expect(pauses.remove(.backpressure, mayResume: true) == .resume)
        #expect(!pauses.isPaused)
    }

    @Test func removingAReasonThatDoesNotHoldChangesNothing() {
        var pauses = PartitionPauses()
        #expect(pauses.remove(.halted, mayResume: true) == .none)
        _ = pauses.add(.halted, mayRequest: true)
        #expect(pauses.remove(.deadLetterUnavailable, mayResume: true) == .none)
        #expect(pauses.reasons == [.halted])
    }

    @Test func requestsNothingWhenNotAllowedButStillTracksTheReasons() {
        var pauses = PartitionPauses()
        #expect(pauses.add(.retryBackoff, mayRequest: false) == .none)
        #expect(pauses.isPaused)
        #expect(pauses.remove(.retryBackoff, mayResume: false) == .none)
        #expect(!pauses.isPaused)
    }
}
