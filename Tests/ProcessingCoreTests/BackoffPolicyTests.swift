import Testing

@testable import ProcessingCore

/// SplitMix64: a tiny seeded generator so jittered delays are reproducible in tests.
struct SeededRandomNumberGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("BackoffPolicy and ConnectRetryPolicy")
struct BackoffPolicyTests {
    let policy = BackoffPolicy(
        maxAttempts: 12,
        baseDelay: .milliseconds(200),
        multiplier: 2,
        maximumDelay: .seconds(30),
        jitter: 0.2
    )

    @Test("without jitter: base × multiplier^(n-1), then the cap")
    func exponentialWithCap() {
        let exact = BackoffPolicy(
            maxAttempts: 12, baseDelay: .milliseconds(200), multiplier: 2, maximumDelay: .seconds(30), jitter: 0
        )
        var generator = SeededRandomNumberGenerator(seed: 1)
        let delays = (1...10).map { exact.delay(afterAttempt: $0, using: &generator) }
        #expect(delays == [
            .milliseconds(200), .milliseconds(400), .milliseconds(800), .milliseconds(1600), .milliseconds(3200),
            .milliseconds(6400), .milliseconds(12800), .milliseconds(25600), .seconds(30), .seconds(30),
        ])
    }

    @Test("the nominal delays grow monotonically up to the cap and stay there")
    func monotoneUpToCap() {
        let nominal = (1...40).map { policy.nominalDelay(afterAttempt: $0) }
        for (earlier, later) in zip(nominal, nominal.dropFirst()) {
            #expect(earlier <= later)
        }
        #expect(nominal.last == .seconds(30))
        // Large attempt numbers overflow base × 2^n to infinity in Double: still the cap, no crash.
        #expect(policy.delay(afterAttempt: 5000) <= .seconds(30))
    }

    @Test("jitter stays within ± the fraction of the nominal delay and never above the cap")
    func jitterBounds() {
        var generator = SeededRandomNumberGenerator(seed: 42)
        var sawBelow = false
        var sawAbove = false
        for attempt in 1...12 {
            let nominal = policy.nominalDelay(afterAttempt: attempt)
            for _ in 0..<200 {
                let delay = policy.delay(afterAttempt: attempt, using: &generator)
                #expect(delay >= nominal * 0.8 - .nanoseconds(1))
                #expect(delay <= nominal * 1.2 + .nanoseconds(1))
                #expect(delay <= .seconds(30))
                if delay < nominal { sawBelow = true }
                if delay > nominal { sawAbove = true }
            }
        }
        #expect(sawBelow && sawAbove, "jitter should spread both ways")
    }

    @Test("the same seed gives the same delays")
    func deterministic() {
        var first = SeededRandomNumberGenerator(seed: 7)
        var second = SeededRandomNumberGenerator(seed: 7)
        let a = (1...8).map { policy.delay(afterAttempt: $0, using: &first) }
        let b = (1...8).map { policy.delay(afterAttempt: $0, using: &second) }
        #expect(a == b)
    }

    @Test("shouldRetry allows maxAttempts attempts in total")
    func shouldRetry() {
        let three = BackoffPolicy.default
        #expect(three.maxAttempts == 3)
        #expect(three.shouldRetry(afterAttempt: 1))
        #expect(three.shouldRetry(afterAttempt: 2))
        #expect(!three.shouldRetry(afterAttempt: 3))
        let once = BackoffPolicy(maxAttempts: 1, baseDelay: .zero, multiplier: 1, maximumDelay: .zero, jitter: 0)
        #expect(!once.shouldRetry(afterAttempt: 1))
    }

    @Test("out-of-range values built in code are clamped")
    func clamped() {
        let odd = BackoffPolicy(
            maxAttempts: 0, baseDelay: .seconds(-1), multiplier: 0.5, maximumDelay: .seconds(-5), jitter: 3
        )
        #expect(odd.maxAttempts == 1)
        #expect(odd.baseDelay == .zero)
        #expect(odd.multiplier == 1)
        #expect(odd.maximumDelay == .zero)
        #expect(odd.jitter == 1)
        #expect(odd.delay(afterAttempt: 3) == .zero)
    }

    @Test("ConnectRetryPolicy: MAX_RETRIES attempts, RETRY_DELAY apart")
    func connectRetry() {
        let policy = ConnectRetryPolicy.default
        #expect(policy.maxAttempts == 5)
        #expect(policy.delay == .seconds(10))
        #expect((1...5).filter { policy.shouldRetry(afterAttempt: $0) } == [1, 2, 3, 4])
    }
}
