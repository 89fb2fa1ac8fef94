import Logging
import ProcessingCore
import ServiceLifecycle

/// The log lines for people who tail the log: every `interval` one `Progress` line (events processed and
/// dead-lettered since the last line, the rate, total lag, assigned partitions), skipped when nothing
/// happened and nothing is behind; and `Caught up` once, the first time the total lag reaches 0 after
/// being positive.
public struct ProgressReporter: Service {
    private let source: any StatusSource
    /// Zero: no `Progress` lines (`Caught up` is still logged).
    private let interval: Duration
    private let logger: Logger
    /// How often the lag is looked at for `Caught up`.
    private let checkInterval: Duration

    public init(source: any StatusSource, interval: Duration, logger: Logger, checkInterval: Duration = .seconds(1)) {
        self.source = source
        self.interval = interval
        self.logger = logger
        self.checkInterval = checkInterval
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown { await loop() }
    }

    private func loop() async {
        var progress = ProgressLog()
        let clock = ContinuousClock()
        var lastLine = clock.now
        while !Task.isCancelled {
                try? await Task.sleep(for: checkInterval)
                let status = source.status()
                let now = clock.now
                if progress.caughtUp(totalLag: status.partitions.contains { $0.lag != nil } ? status.totalLag : nil) {
                    logger.info("Caught up", metadata: ["assigned_partitions": "\(status.partitions.count)"])
                }
                if interval > .zero, now - lastLine >= interval {
                    if let line = progress.line(status: status, elapsed: now - lastLine) {
                        logger.info("Progress", metadata: line)
                    }
                    lastLine = now
                }
        }
    }
}

/// The decisions behind the progress lines, apart from the clock and the logger (unit-tested).
struct ProgressLog {
    private var lastProcessed: Int?
    private var lastDeadLettered = 0
    private var wasBehind = false
    private var hasCaughtUp = false

    /// Whether to log `Caught up` now: once, when a known total lag is 0 after having been positive.
    mutating func caughtUp(totalLag: Int64?) -> Bool {
        guard let totalLag, !hasCaughtUp else { return false }
        if totalLag > 0 {
            wasBehind = true
            return false
        }
        guard wasBehind else { return false }
        hasCaughtUp = true
        return true
    }

    /// The `Progress` line's metadata, or nil when nothing happened and nothing is behind.
    mutating func line(status: ServiceStatus, elapsed: Duration) -> Logger.Metadata? {
        let processed = status.totals.processed - (lastProcessed ?? 0)
        let deadLettered = status.totals.deadLettered - lastDeadLettered
        lastProcessed = status.totals.processed
        lastDeadLettered = status.totals.deadLettered
        let lag = status.totalLag
        guard processed > 0 || deadLettered > 0 || lag > 0 else { return nil }
        let seconds = elapsed.inSeconds
        return [
            "processed": "\(processed)",
            "dead_lettered": "\(deadLettered)",
            "events_per_second": "\(seconds > 0 ? (Double(processed) / seconds * 10).rounded() / 10 : 0)",
            "total_lag": "\(lag)",
            "assigned_partitions": "\(status.partitions.count)",
        ]
    }
}
