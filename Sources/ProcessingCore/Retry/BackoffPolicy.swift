#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How often, and how far apart, a failing event is processed again (`PROCESSING_*` settings).
///
/// Attempts are numbered from 1. After attempt `n` fails, and if `shouldRetry(afterAttempt: n)`, the
/// next attempt waits `delay(afterAttempt: n)`:
///
///     base × multiplier^(n-1), capped at `maximumDelay`, then varied by ± `jitter` × itself,
///     and capped at `maximumDelay` again
///
/// The cap is applied after the jitter too, so `maximumDelay` is a hard upper bound: the pipeline
/// relies on it when reasoning about how long a partition stays paused. Jitter spreads the retries of
/// many consumers that failed at the same moment (a sink going down) so they do not retry in lockstep.
public struct BackoffPolicy: Sendable, Equatable {
    /// Attempts in total, including the first (≥ 1; 1 means never retry).
    public var maxAttempts: Int
    /// The delay after the first failed attempt (≥ 0).
    public var baseDelay: Duration
    /// The growth factor from one delay to the next (≥ 1).
    public var multiplier: Double
    /// The upper bound of every delay (≥ `baseDelay`).
    public var maximumDelay: Duration
    /// The random variation, as a fraction of the delay, in `0...1` (0.2 = ±20 %).
    public var jitter: Double

    /// The defaults: 3 attempts, 200 ms then 400 ms (±20 %), never more than 30 s.
    public static let `default` = BackoffPolicy(
        maxAttempts: 3,
        baseDelay: .milliseconds(200),
        multiplier: 2,
        maximumDelay: .seconds(30),
        jitter: 0.2
    )

    /// Creates a policy. The values are checked when the configuration is loaded; here they are
    /// clamped into their valid ranges so that a policy built in code can never produce a negative or
    /// unbounded delay.
    public init(maxAttempts: Int, baseDelay: Duration, multiplier: Double, maximumDelay: Duration, jitter: Double) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = max(.zero, baseDelay)
        self.multiplier = multiplier.isFinite ? max(1, multiplier) : 1
        self.maximumDelay = max(self.baseDelay, maximumDelay)
        self.jitter = jitter.isFinite ? min(1, max(0, jitter)) : 0
    }

    /// Whether another attempt follows a failed attempt number `attempt` (1-based).
    public func shouldRetry(afterAttempt attempt: Int) -> Bool {
        attempt < maxAttempts
    }

    /// The wait before the attempt after `attempt` (1-based), with jitter from the system generator.
    public func delay(afterAttempt attempt: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(afterAttempt: attempt, using: &generator)
    }

    /// The wait before the attempt after `attempt` (1-based), with jitter drawn from `generator`
    /// (inject a seeded generator for reproducible delays).
    public func delay(afterAttempt attempt: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let exponential = nominalSeconds(afterAttempt: attempt)
        guard jitter > 0, exponential > 0 else { return Duration(roundedSeconds: exponential) }
        let jittered = exponential * (1 + Double.random(in: -jitter...jitter, using: &generator))
        return Duration(roundedSeconds: min(maximumDelay.inSeconds, jittered))
    }

    /// The exponential delay before jitter: the centre of the jitter band.
    public func nominalDelay(afterAttempt attempt: Int) -> Duration {
        Duration(roundedSeconds: nominalSeconds(afterAttempt: attempt))
    }

    /// base × multiplier^(attempt-1), capped, in seconds. Computed in Double and clamped before a Duration
    /// is built: the power overflows to infinity after enough attempts, which Duration cannot represent.
    private func nominalSeconds(afterAttempt attempt: Int) -> Double {
        // Zero base stays zero (0 × ∞ would be NaN once the power overflows).
        guard baseDelay > .zero else { return 0 }
        return min(maximumDelay.inSeconds, baseDelay.inSeconds * pow(multiplier, Double(max(0, attempt - 1))))
    }
}
