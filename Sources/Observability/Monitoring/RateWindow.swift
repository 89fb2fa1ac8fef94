import ProcessingCore
/// Rates over the last minute from samples of cumulative totals: keeps the samples of the window (and the
/// newest one older than it) and divides the change by the time between the oldest and newest kept.
struct RateWindow: Sendable {
    private(set) var samples: [(at: ContinuousClock.Instant, totals: ServiceStatus.Totals)] = []
    let window: Duration

    init(window: Duration = .seconds(60)) {
        self.window = window
    }

    mutating func add(_ totals: ServiceStatus.Totals, at instant: ContinuousClock.Instant) {
        samples.append((instant, totals))
        // Keep one sample at or beyond the window's start, so the window is full once it can be.
        while samples.count > 2, instant - samples[1].at >= window {
            samples.removeFirst()
        }
    }

    var rates: ServiceStatus.Rates {
        guard let first = samples.first, let last = samples.last, last.at > first.at else { return .init() }
        let seconds = (last.at - first.at).inSeconds
        func rate(_ value: KeyPath<ServiceStatus.Totals, Int>) -> Double {
            Double(last.totals[keyPath: value] - first.totals[keyPath: value]) / seconds
        }
        return ServiceStatus.Rates(
            windowSeconds: seconds,
            consumedPerSecond: rate(\.consumed),
            processedPerSecond: rate(\.processed),
            deadLetteredPerSecond: rate(\.deadLettered),
            retriesPerSecond: rate(\.retries)
        )
    }
}
