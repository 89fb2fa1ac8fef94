extension Duration {
    /// The duration as fractional seconds (for arithmetic in Double, logging and rates; `package` for
    /// Observability's status and progress lines).
    package var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Whole nanoseconds (saturating), for histogram bounds and observations.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return scaled &+ attoseconds / 1_000_000_000
    }

    /// The largest duration built from fractional seconds here (~31 years): far beyond any sensible
    /// delay, and small enough that its nanoseconds fit an `Int64`.
    static let largestFromSeconds: Double = 1e9

    /// A duration from fractional seconds, rounded to whole nanoseconds, clamped to 0...`largestFromSeconds`.
    ///
    /// `Duration.seconds(0.2)` is not exactly `.milliseconds(200)` (0.2 has no exact binary form); rounding
    /// to nanoseconds makes configured and computed delays compare equal to the values people write.
    init(roundedSeconds seconds: Double) {
        let clamped = seconds.isNaN ? 0 : min(Self.largestFromSeconds, max(0, seconds))
        self = .nanoseconds(Int64((clamped * 1e9).rounded()))
    }
}
