import ArgumentParser
import Foundation

/// `consumer-benchmark run`: the whole benchmark of issue 4 in one command.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Start a mock broker, produce EnrichedEvents, measure the raw loop and the service.",
        discussion: """
            Uses the mock-kafka, event-producer and processing-service executables next to this one (build \
            every product first; scripts/benchmark.sh does). Each consumer runs in its own process with a \
            fresh consumer group; its rate is measured from its group's first committed offset to all \
            offsets committed, its CPU seconds and peak RSS are those of its whole process life (wait4). \
            Children's logs and each round's timeline (NAME-ROUND.timeline.csv: committed events and CPU seconds \
            per monitor sample) go to a temporary directory, kept when something fails or with --keep-logs.
            """
    )

    @Option(help: "Events to produce.")
    var events: Int = 800_000

    /// 48 rather than 32: the mock cluster keeps at most 5 MiB per partition, and the synthetic events take
    /// ~218 bytes each once snappy-compressed in large batches (measured: a partition holds ~24k of them),
    /// so 800k events on 32 partitions (25k on average, up to ~15% more in the fullest one, as keying by
    /// user_id is uneven) get trimmed. On 48 partitions the fullest holds ~18.5k.
    @Option(help: "Partitions of the benchmark topic.")
    var partitions: Int32 = 48

    @Option(help: "Measure raw and service alternately this many times; the report gives medians.")
    var rounds: Int = 1

    @Option(help: "Also write the report as JSON to this file.")
    var json: String?

    @Option(help: "auto.commit.interval.ms of both consumers.")
    var commitIntervalMs: Int = 100

    @Option(name: .customLong("consumer"), help: "Measure only this consumer (repeatable). Default: raw and service.")
    var consumers: [ConsumerKind] = []

    /// 20 ms: the raw loop's window is well under a second here, so sampling granularity matters; one
    /// OffsetFetch per sample costs the broker next to nothing (see "broker CPU s in window").
    @Option(help: "How often the monitor reads the group's committed offsets, in ms.")
    var monitorIntervalMs: Int = 20

    @Option(help: "Give up on a consumer that has not committed everything after this many seconds.")
    var timeout: Int = 300

    @Option(help: "--batch-size of the raw loop (0: rd_kafka_consumer_poll one message at a time).")
    var rawBatchSize: Int = 0

    @Option(help: "Most events one partition may hold on average: the mock cluster silently trims a partition past 5 MiB (~24k synthetic events), and keyed partitioning puts up to ~15% more than the average in the fullest one.")
    var maxEventsPerPartition: Int = 20_000

    @Option(help: "NAME=VALUE set in the service's environment (repeatable), e.g. KAFKA_CFG_FETCH_MAX_BYTES=...")
    var serviceEnv: [String] = []

    /// valgrind 3.19 (Debian) cannot run the service: it cannot read Swift 6.3's DWARF, and with the debug
    /// info stripped callgrind and cachegrind crash inside libdispatch. perf's software clock works.
    @Option(help: "Start the service under this command, e.g. \"perf record -e cpu-clock -g -o service.perf\" (profiling only: it distorts every number).")
    var serviceLauncher: String?

    @Option(help: "event-producer's --batch-linger-ms: long, so message sets are large however slowly events are produced (compressed better, and the mock cluster's fetch cost grows with the number of message sets).")
    var produceLingerMs: Int = 1000

    @Option(help: "Name of the benchmark topic (its dead-letter topic is NAME.dlq).")
    var topic: String = "benchmark-events"

    @Flag(help: "Run the service with its HTTP server on and GET /metrics every second while it is measured (issue 13). Without it the service runs with HTTP_ENABLED=false, as before.")
    var scrapeMetrics = false

    @Flag(help: "Keep the children's logs even when everything went well.")
    var keepLogs = false

    @Flag(help: "Exit with status 1 when a target is missed.")
    var strict = false

    func validate() throws {
        guard events > 0 else { throw ValidationError("--events must be positive") }
        guard partitions > 0 else { throw ValidationError("--partitions must be positive") }
        guard rounds >= 1 else { throw ValidationError("--rounds must be at least 1") }
        guard commitIntervalMs > 0, monitorIntervalMs > 0, timeout > 0 else {
            throw ValidationError("--commit-interval-ms, --monitor-interval-ms and --timeout must be positive")
        }
        let perPartition = (events + Int(partitions) - 1) / Int(partitions)
        guard perPartition <= maxEventsPerPartition else {
            throw ValidationError(
                "\(events) events on \(partitions) partitions is \(perPartition) per partition, more than \(maxEventsPerPartition): the mock cluster would trim data. Use more --partitions or fewer --events.")
        }
        for assignment in serviceEnv where !assignment.contains("=") {
            throw ValidationError("--service-env expects NAME=VALUE, got \(assignment)")
        }
    }

    func run() throws {
        let kinds = consumers.isEmpty ? ConsumerKind.allCases : consumers
        let executables = try SiblingExecutables.locate(includingService: kinds.contains(.service))
        let jsonPath = json.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        let workDirectory = try Self.makeWorkDirectory()
        // Children inherit this working directory: an empty one, so the service finds no stray .env file.
        guard FileManager.default.changeCurrentDirectoryPath(workDirectory) else {
            throw BenchmarkError("cannot enter \(workDirectory)")
        }
        let machine = MachineDescription.current()
        say("consumer-benchmark: \(machine.onlineProcessors) CPU(s), \(machine.cpuModel), librdkafka \(machine.librdkafkaVersion); logs in \(workDirectory)")

        let deadLetterTopic = topic + ".dlq"
        let broker = try MockBrokerProcess(
            executable: executables.mockKafka,
            topics: [(topic, partitions), (deadLetterTopic, 1)],
            logFile: workDirectory + "/mock-kafka.log")
        defer { broker.stop() }
        say("mock-kafka at \(broker.bootstrapServers), topic \(topic) (\(partitions) partitions), \(deadLetterTopic)")

        let produceSeconds = try produce(with: executables, brokers: broker.bootstrapServers, logDirectory: workDirectory)
        let layout = try TopicLayout.verify(
            brokers: broker.bootstrapServers, topic: topic, partitions: partitions, expectedEvents: Int64(events))
        say("produced \(layout.total) events in \(String(format: "%.2f", produceSeconds)) s (\(Int(Double(events) / produceSeconds)) events/s); per partition \(layout.fewest)...\(layout.most), nothing trimmed")

        let runner = ConsumerRunner(
            executables: executables, brokers: broker.bootstrapServers, topic: topic,
            deadLetterTopic: deadLetterTopic, partitions: partitions, target: layout.total,
            commitIntervalMs: commitIntervalMs, monitorInterval: .milliseconds(monitorIntervalMs),
            timeout: .seconds(timeout), rawBatchSize: rawBatchSize,
            extraServiceEnvironment: Dictionary(serviceEnv.map { assignment in
                let parts = assignment.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                return (String(parts[0]), String(parts[1]))
            }, uniquingKeysWith: { _, last in last }),
            serviceLauncher: serviceLauncher.map { $0.split(separator: " ").map(String.init) } ?? [],
            workDirectory: workDirectory, brokerPID: broker.pid, scrapeMetrics: scrapeMetrics)

        var results: [ConsumerResult] = []
        for round in 1...rounds {
            for kind in kinds {
                guard broker.isRunning else { throw BenchmarkError("mock-kafka exited (log: \(workDirectory)/mock-kafka.log)") }
                say("round \(round): \(kind.rawValue) ...")
                let result = try runner.measure(kind, round: round)
                say(String(
                    format: "round %d: %@ %.0f events/s, %.2f CPU s, %.1f MiB peak RSS, %d/%d context switches (waits/preempted), %@",
                    round, kind.rawValue, result.eventsPerSecond, result.cpuSeconds, result.peakRSSMiB,
                    result.voluntaryContextSwitches, result.involuntaryContextSwitches, result.exit))
                results.append(result)
            }
        }

        var deadLetters: Int64?
        if kinds.contains(.service) {
            deadLetters = try TopicLayout.verify(
                brokers: broker.bootstrapServers, topic: deadLetterTopic, partitions: 1, expectedEvents: nil).total
        }

        let report = BenchmarkReport(
            machine: machine, topic: topic, events: layout.total, partitions: partitions,
            maxEventsInAPartition: layout.most, commitIntervalMs: commitIntervalMs,
            produceSeconds: produceSeconds, results: results, deadLetters: deadLetters)
        print("")
        print(report.rendered())
        if let jsonPath {
            try report.jsonData().write(to: URL(fileURLWithPath: jsonPath))
            say("JSON report written to \(jsonPath)")
        }
        let allStoppedCleanly = results.allSatisfy(\.stoppedCleanly)
        if keepLogs || !allStoppedCleanly {
            say("logs kept in \(workDirectory)")
        } else {
            try? FileManager.default.removeItem(atPath: workDirectory)
        }
        if strict && !report.targets.allSatisfy(\.passed) { throw ExitCode(1) }
    }

    /// Runs event-producer to completion and returns how long it took.
    private func produce(with executables: SiblingExecutables, brokers: String, logDirectory: String) throws -> Double {
        say("producing \(events) events ...")
        let logFile = logDirectory + "/event-producer.log"
        let started = ContinuousClock.now
        let producer = try ChildProcess(
            name: "event-producer", executable: executables.eventProducer,
            arguments: [
                "--brokers", brokers, "--topic", topic, "--count", String(events),
                "--batch-linger-ms", String(produceLingerMs),
            ],
            environment: ChildEnvironment.base(),
            standardInput: .null, standardOutput: .file(logFile), standardError: .file(logFile))
        guard let termination = producer.waitForExit(timeout: .seconds(timeout)) else {
            _ = producer.stop(grace: .seconds(5))
            throw BenchmarkError("event-producer did not finish within \(timeout) s\n\(ConsumerRunner.tail(of: logFile))")
        }
        let elapsed = (ContinuousClock.now - started).seconds
        guard termination.exitedCleanly else {
            throw BenchmarkError("event-producer failed (\(termination.summary))\n\(ConsumerRunner.tail(of: logFile))")
        }
        if let summary = try? String(contentsOfFile: logFile, encoding: .utf8) {
            for line in summary.split(separator: "\n") { say("  event-producer: \(line)") }
        }
        return elapsed
    }

    private static func makeWorkDirectory() throws -> String {
        var template = Array((URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("consumer-benchmark.XXXXXX").path).utf8CString)
        guard let created = mkdtemp(&template) else { throw BenchmarkError("mkdtemp failed") }
        return String(cString: created)
    }

    private func say(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
