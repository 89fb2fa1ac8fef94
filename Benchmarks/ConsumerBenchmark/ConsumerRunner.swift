import Foundation

/// Starts one consumer in its own process against the prepared topic, measures its commit window with an
/// `OffsetInspector`, stops it, and collects its CPU time and peak RSS.
struct ConsumerRunner {
    var executables: SiblingExecutables
    var brokers: String
    var topic: String
    var deadLetterTopic: String
    var partitions: Int32
    /// Sum of the high watermarks: the committed total that means "everything done".
    var target: Int64
    var commitIntervalMs: Int
    var monitorInterval: Duration
    var timeout: Duration
    var rawBatchSize: Int
    /// Extra `NAME=VALUE` variables for the service (experiments: e.g. `KAFKA_CFG_FETCH_MAX_BYTES=...`).
    var extraServiceEnvironment: [String: String]
    /// A command the service is started under (e.g. `valgrind --tool=callgrind`); empty normally.
    var serviceLauncher: [String]
    var workDirectory: String
    /// mock-kafka's process, whose CPU use inside each window is reported.
    var brokerPID: pid_t
    /// `--scrape-metrics`: the service's HTTP server on, `/metrics` scraped every second (`MetricsScraper`).
    var scrapeMetrics = false

    func measure(_ kind: ConsumerKind, round: Int) throws -> ConsumerResult {
        // A fresh group per run: the mock cluster delays any re-join of a used group by the session timeout,
        // and a fresh group has no committed offsets, so the window starts from nothing.
        let group = "consumer-benchmark-\(kind.rawValue)-\(round)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let inspector = try OffsetInspector(brokers: brokers, group: group, topic: topic, partitions: partitions)
        // The first query finds the coordinator, so the consumer's first commit is not measured late.
        let before = try inspector.committedTotal(timeoutMs: 10_000)
        guard before == 0 else { throw BenchmarkError("fresh group \(group) already has \(before) committed") }

        let logFile = "\(workDirectory)/\(kind.rawValue)-\(round).log"
        let (executable, arguments, launchEnvironment) = launch(kind, group: group)
        var environment = launchEnvironment
        var scraper: MetricsScraper?
        if kind == .service && scrapeMetrics {
            let port = try MetricsScraper.freePort()
            environment["HTTP_ENABLED"] = "true"
            environment["HTTP_HOST"] = "127.0.0.1"
            environment["HTTP_PORT"] = String(port)
            scraper = MetricsScraper(port: port)
        }
        defer { if let scraper { FileHandle.standardError.write(Data("  \(scraper.stop())\n".utf8)) } }
        let started = ContinuousClock.now
        let consumer = try ChildProcess(
            name: kind.rawValue, executable: executable, arguments: arguments, environment: environment,
            standardInput: .null, standardOutput: .file(logFile), standardError: .file(logFile))

        let window: CommitWindow
        do {
            window = try CommitWindow.observe(
                inspector: inspector, target: target, consumer: consumer, brokerPID: brokerPID, started: started,
                interval: monitorInterval, timeout: timeout)
        } catch {
            _ = consumer.stop(grace: .seconds(10))
            throw BenchmarkError("\(error)\n\(Self.tail(of: logFile))")
        }

        Self.writeTimeline(window, to: "\(workDirectory)/\(kind.rawValue)-\(round).timeline.csv")

        let termination: ChildTermination
        let stoppedCleanly: Bool
        switch kind {
        case .raw:
            // It commits synchronously and closes by itself once it has consumed everything.
            if let ended = consumer.waitForExit(timeout: .seconds(30)) {
                (termination, stoppedCleanly) = (ended, ended.exitedCleanly)
            } else {
                let (ended, _) = consumer.stop(grace: .seconds(5))
                (termination, stoppedCleanly) = (ended, false)
            }
        case .service:
            // Graceful shutdown is part of the service's cost: SIGTERM and wait for it to finish.
            let (ended, killed) = consumer.stop(grace: .seconds(60))
            (termination, stoppedCleanly) = (ended, !killed && ended.exitedCleanly)
        }
        if !stoppedCleanly {
            FileHandle.standardError.write(Data("warning: \(kind.rawValue) did not stop cleanly (\(termination.summary))\n\(Self.tail(of: logFile))\n".utf8))
        }

        return ConsumerResult(
            consumer: kind, round: round, group: group,
            eventsPerSecond: window.eventsPerSecond, windowSeconds: window.length.seconds,
            committedAtFirst: window.committedAtFirst, committedAtAll: window.committedAtAll,
            secondsToFirstCommit: window.startToFirstCommit.seconds,
            cpuSecondsInWindow: window.consumerCPUSeconds, brokerCPUSecondsInWindow: window.brokerCPUSeconds,
            cpuSeconds: termination.cpuSeconds, userCPUSeconds: termination.userCPUSeconds,
            systemCPUSeconds: termination.systemCPUSeconds,
            peakRSSMiB: Double(termination.peakResidentBytes) / 1_048_576,
            voluntaryContextSwitches: termination.voluntaryContextSwitches,
            involuntaryContextSwitches: termination.involuntaryContextSwitches,
            exit: termination.summary, stoppedCleanly: stoppedCleanly)
    }

    /// The window's samples as CSV (`seconds,committed,cpu_seconds`, from the first commit), beside the
    /// round's log: kept with `--keep-logs`, to see whether a slow round stalled and where.
    private static func writeTimeline(_ window: CommitWindow, to path: String) {
        var text = "seconds,committed,cpu_seconds\n"
        for sample in window.samples {
            let cpu = sample.cpuSeconds.map { String(format: "%.3f", $0) } ?? ""
            text += String(format: "%.3f", sample.seconds) + ",\(sample.committed)," + cpu + "\n"
        }
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    }

    private func launch(_ kind: ConsumerKind, group: String) -> (String, [String], [String: String]) {
        switch kind {
        case .raw:
            return (executables.consumerBenchmark, [
                "raw", "--brokers", brokers, "--topic", topic, "--group", group, "--expect", String(target),
                "--commit-interval-ms", String(commitIntervalMs), "--batch-size", String(rawBatchSize),
            ], ChildEnvironment.base())
        case .service:
            var environment = ChildEnvironment.base()
            environment["KAFKA_BROKERS"] = brokers
            environment["KAFKA_TOPIC"] = topic
            environment["KAFKA_GROUP_ID"] = group
            environment["LOG_LEVEL"] = "warning"
            environment["DLQ_ENABLED"] = "true"
            environment["DLQ_TOPIC"] = deadLetterTopic
            // Same commit cadence and session timeout as the raw loop.
            environment["KAFKA_CFG_AUTO_COMMIT_INTERVAL_MS"] = String(commitIntervalMs)
            environment["KAFKA_CFG_SESSION_TIMEOUT_MS"] = "6000"
            // The default mode measures the consumer as before issue 13; --scrape-metrics turns the server on.
            environment["HTTP_ENABLED"] = "false"
            environment.merge(extraServiceEnvironment) { _, extra in extra }
            let command = serviceLauncher + [executables.processingService, "--read-from-beginning"]
            return (Self.resolve(command[0], path: environment["PATH"]), Array(command.dropFirst()), environment)
        }
    }

    /// `posix_spawn` does not search PATH: resolve a bare launcher name (e.g. `valgrind`) ourselves.
    private static func resolve(_ command: String, path: String?) -> String {
        guard !command.contains("/") else { return command }
        for directory in (path ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(command)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return command
    }

    /// The last lines of a child's log, for error messages.
    static func tail(of logFile: String, lines: Int = 20) -> String {
        guard let text = try? String(contentsOfFile: logFile, encoding: .utf8), !text.isEmpty else {
            return "(\(logFile) is empty)"
        }
        let last = text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines)
        return "last lines of \(logFile):\n" + last.map { "  | \($0)" }.joined(separator: "\n")
    }
}
