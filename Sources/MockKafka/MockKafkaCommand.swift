import ArgumentParser
import Foundation
import Kafka
import Synchronization
import KafkaMockCluster

/// `mock-kafka`: librdkafka's mock cluster as a standalone process, for tests and the quick start.
@main
struct MockKafkaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mock-kafka",
        abstract: "Run an in-memory Kafka cluster (librdkafka's mock brokers) on loopback ports.",
        discussion: """
            Starts N brokers on ephemeral 127.0.0.1 ports and creates the given topics. Clients in any process \
            connect with the printed bootstrap list. All data lives in this process's memory and is gone when \
            it exits. Each partition keeps at most ~5 MiB or 100k message sets (older data is dropped).

            OUTPUT: exactly one line on standard output once the cluster is ready:
              BOOTSTRAP 127.0.0.1:PORT[,127.0.0.1:PORT...]
            or, with --print-env, a line a shell or the service's .env file understands:
              KAFKA_BROKERS=127.0.0.1:PORT[,...]

            CONTROL: unless --no-stdin is given, each line read on standard input is a command, answered \
            with one line, OK or ERR <reason>:
            \(ControlCommand.usage)

            STOPPING: on end of standard input (so it never outlives a parent that dies), on quit, SIGINT or \
            SIGTERM, the cluster is stopped and the process exits 0.

            EXAMPLES:
              # In a terminal: type commands; Ctrl-D or Ctrl-C stops it.
              mock-kafka --topic user-activity-events:6
              # Quick start / scripts: in the background, broker list into .env
              mock-kafka --topic user-activity-events:6 --no-stdin --print-env > .env &
            """
    )

    @Option(help: "Number of brokers (ids 1...N).")
    var brokers: Int = 1

    @Option(
        name: .customLong("topic"),
        help: ArgumentHelp("A topic to create, NAME:PARTITIONS (NAME alone = 1 partition). Repeatable.", valueName: "name:partitions")
    )
    var topics: [TopicSpecification] = []

    @Flag(help: "Print KAFKA_BROKERS=<list> instead of BOOTSTRAP <list>.")
    var printEnv = false

    @Flag(
        name: .customLong("no-stdin"),
        help: "Do not read control commands; run until SIGINT/SIGTERM. Needed in the background (`&`), where standard input is empty or not readable."
    )
    var noStdin = false

    @Option(help: "librdkafka log level of the brokers, 0 (emergencies only) ... 7 (debug); logs go to standard error.")
    var logLevel: Int = 4

    func validate() throws {
        guard brokers >= 1, brokers <= 64 else { throw ValidationError("--brokers must be 1...64, got \(brokers)") }
        guard (0...7).contains(logLevel) else { throw ValidationError("--log-level must be 0...7, got \(logLevel)") }
        let names = topics.map(\.name)
        guard Set(names).count == names.count else { throw ValidationError("a --topic is given twice") }
    }

    func run() throws {
        let lifetime = ProcessLifetime()
        // Before the cluster exists: a signal from then on stops it cleanly.
        TerminationSignals.handle { _ in lifetime.exit(code: 0) }

        let cluster: MockCluster
        do {
            cluster = try MockCluster(brokers: brokers, configuration: KafkaConfiguration(["log_level": String(logLevel)]))
            for topic in topics {
                try cluster.createTopic(name: topic.name, partitions: topic.partitions)
            }
        } catch {
            throw ValidationError("mock-kafka: \(error)")
        }
        lifetime.adopt(cluster)

        writeLine(printEnv ? "KAFKA_BROKERS=\(cluster.bootstrapServers)" : "BOOTSTRAP \(cluster.bootstrapServers)", lifetime)
        let topicList = topics.map { "\($0.name) (\($0.partitions) partitions)" }.joined(separator: ", ")
        FileHandle.standardError.write(Data("""
            mock-kafka: \(brokers) broker(s) at \(cluster.bootstrapServers)\(topics.isEmpty ? "" : ", topics: \(topicList)")

            """.utf8))

        if noStdin || Self.isBackgroundJobOnTerminal() {
            if !noStdin {
                FileHandle.standardError.write(Data("mock-kafka: running as a background job, not reading commands (stop with SIGTERM)\n".utf8))
            }
            // Only a signal ends the process now; park this thread.
            while true { pause() }
        }

        while let line = readLine(strippingNewline: true) {
            let command: ControlCommand
            do {
                command = try ControlCommand(parsing: line)
            } catch {
                writeLine("ERR \(error.reason)", lifetime)
                continue
            }
            do {
                try command.apply(to: cluster)
            } catch {
                writeLine("ERR \(Self.oneLine(error.description))", lifetime)
                continue
            }
            writeLine("OK", lifetime)
            if command == .quit { break }
        }
        lifetime.exit(code: 0)
    }

    /// Writes one protocol line straight to the file descriptor (no stdio buffer, so a parent reading a
    /// pipe gets it at once). A parent that stopped reading means nobody controls us any more: exit.
    private func writeLine(_ line: String, _ lifetime: ProcessLifetime) {
        do {
            try FileHandle.standardOutput.write(contentsOf: Data((line + "\n").utf8))
        } catch {
            lifetime.exit(code: 0)
        }
    }

    private static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }

    /// True when started with `&` from an interactive shell: reading the terminal would stop the process
    /// (SIGTTIN), leaving a cluster that never answers.
    private static func isBackgroundJobOnTerminal() -> Bool {
        isatty(STDIN_FILENO) == 1 && tcgetpgrp(STDIN_FILENO) != getpgrp()
    }
}

/// Ends the process exactly once, from whichever thread asks first (stdin loop or signal thread), after
/// stopping the cluster so that its threads and sockets are released in order.
final class ProcessLifetime: Sendable {
    private let cluster = Mutex<MockCluster?>(nil)
    private let exiting = Atomic<Bool>(false)

    func adopt(_ cluster: MockCluster) {
        self.cluster.withLock { $0 = cluster }
    }

    func exit(code: Int32) -> Never {
        if exiting.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged {
            let current = cluster.withLock { cluster in
                defer { cluster = nil }
                return cluster
            }
            current?.close()
            Foundation.exit(code)
        }
        // Another thread is already exiting the process: wait for it.
        while true { pause() }
    }
}
