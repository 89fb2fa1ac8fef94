@testable import Kafka
import Testing

@Suite struct FetchWakeupPolicyTests {
    /// Feeds polls of `(messages, queueLength)` with messages of `messageBytes` each; returns which fired.
    private static func fired(
        _ policy: inout FetchWakeupPolicy, messageBytes: Int = 100, _ polls: [(messages: Int, queueLength: Int)]
    ) -> [Bool] {
        polls.map { policy.observe(messages: $0.messages, bytes: $0.messages * messageBytes, queueLength: $0.queueLength) }
    }

    @Test func theStopLengthIsTheSmallerOfTheMessageAndTheByteLimit() {
        var policy = FetchWakeupPolicy(queuedMinMessages: 100_000, queuedMaxBytes: 8 * 1_048_576)
        #expect(policy.stopLength == 100_000, "no size seen yet: the message limit")
        _ = Self.fired(&policy, messageBytes: 800, [(1000, 0)])
        #expect(policy.stopLength == 8 * 1_048_576 / 800)
        var fewMessages = FetchWakeupPolicy(queuedMinMessages: 40, queuedMaxBytes: 8 * 1_048_576)
        _ = Self.fired(&fewMessages, messageBytes: 800, [(10, 0)])
        #expect(fewMessages.stopLength == 40)
    }

    @Test func firesOnceWhenAFullQueueHasDrainedToAQuarter() {
        var policy = FetchWakeupPolicy(queuedMinMessages: 1000, queuedMaxBytes: 1 << 30)
        // Full (the fetcher may have stopped): arm; drained to a quarter: wake; then nothing until it fills again.
        let fired = Self.fired(&policy, [(100, 900), (100, 500), (100, 260), (100, 250), (100, 100), (0, 0)])
        #expect(fired == [false, false, false, true, false, false])
    }

    @Test func aFullQueueDrainedByOnePollFiresAtOnce() {
        var policy = FetchWakeupPolicy(queuedMinMessages: 40, queuedMaxBytes: 1 << 30)
        #expect(Self.fired(&policy, [(50, 0)]) == [true])
    }

    @Test func aQueueThatNeverFillsNeverFires() {
        var policy = FetchWakeupPolicy(queuedMinMessages: 1000, queuedMaxBytes: 1 << 30)
        let fired = Self.fired(&policy, [(10, 0), (10, 300), (10, 700), (10, 100), (10, 0), (10, 730), (10, 0)])
        #expect(fired.allSatisfy { !$0 })
    }

    @Test func theByteLimitArmsItWhenMessagesAreLarge() {
        // 1 MiB limit, 10 KiB messages: librdkafka stops at ~102 messages, far below queued.min.messages.
        var policy = FetchWakeupPolicy(queuedMinMessages: 100_000, queuedMaxBytes: 1_048_576)
        #expect(Self.fired(&policy, messageBytes: 10_240, [(10, 90), (10, 20)]) == [false, true])
    }
}
