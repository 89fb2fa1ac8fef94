import ArgumentParser
import Foundation
import Kafka
import Logging
import ProcessingCore
import DeadLetterReplay

/// `processing-service dlq ...`: working with the dead-letter topic.
struct DeadLetterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq",
        abstract: "Work with the dead-letter topic (DLQ_TOPIC).",
        subcommands: [Replay.self]
    )

    /// `processing-service dlq replay`: re-publishes dead letters to the topic they came from.
    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-publish dead letters (original key, value and headers) so the service processes them again.",
            discussion: """
                Reads DLQ_TOPIC up to the end seen at start, in its own consumer group (default \
                <KAFKA_GROUP_ID>.dlq-replay, or <KAFKA_GROUP_ID>.dlq-replay.<classes> with --error-class), \
                publishes each letter to its dlq.original.topic and partition (or --to-topic), and commits \
                a letter's dead-letter offset only after the publication was confirmed. A second run \
                continues where the first stopped; --read-from-beginning replays everything again. \
                The dlq.* headers stay on the replayed record; if it fails again the service replaces them.
                Configuration (brokers, security properties, topics) is read as for 'run'.
                Prints a summary on standard output; logs go to standard error. Exit codes: 0 done, \
                64 invalid configuration, 69 Kafka, the dead-letter topic or a target topic unavailable, \
                70 internal error.
                """
        )

        @OptionGroup var options: ServiceOptions

        @Option(
            name: .customLong("error-class"),
            help: ArgumentHelp("Replay only letters of this dlq.error.class (repeatable), e.g. processing_failed.", valueName: "class")
        )
        var errorClasses: [String] = []

        @Flag(help: "Print what would be replayed; publish and commit nothing.")
        var dryRun = false

        @Option(help: ArgumentHelp("Replay at most this many letters.", valueName: "n"))
        var limit: Int?

        @Option(name: .customLong("to-topic"), help: ArgumentHelp("Publish to this topic instead of each letter's dlq.original.topic.", valueName: "topic"))
        var targetTopic: String?

        @Option(name: .customLong("replay-group"), help: ArgumentHelp("The consumer group that keeps the replay's position.", valueName: "id"))
        var replayGroup: String?

        func validate() throws {
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
            if errorClasses.contains(where: \.isEmpty) { throw ValidationError("--error-class must not be empty") }
            if targetTopic?.isEmpty == true { throw ValidationError("--to-topic must not be empty") }
            if replayGroup?.isEmpty == true { throw ValidationError("--replay-group must not be empty") }
        }

        func run() async throws {
            let configuration = try options.loadConfiguration()
            // Standard output carries the dry-run lines and the summary, so logs go to standard error.
            var logger = LoggingSetup.makeLogger(
                format: configuration.logFormat, level: configuration.logLevel, writer: FileDescriptorLogWriter.standardError
            )
            logger[metadataKey: "service_version"] = .string(ServiceVersion.current)

            let replayer = DeadLetterReplayer(
                configuration: configuration,
                options: DeadLetterReplayOptions(
                    errorClasses: Set(errorClasses),
                    dryRun: dryRun,
                    limit: limit,
                    targetTopic: targetTopic,
                    replayGroup: replayGroup,
                    fromBeginning: options.readFromBeginning
                ),
                logger: logger
            )
            do {
                let summary = try await replayer.run()
                print(summary.report)
            } catch let error as DeadLetterReplayError {
                if let summary = error.summary { print(summary.report) }
                logger.critical("Dead-letter replay failed: \(error)")
                throw ExitCode(error.exitCode)
            } catch let error as KafkaError {
                logger.critical("Dead-letter replay could not start: \(error)")
                throw ExitCode(error.kind == .configuration ? ExitStatus.usage : ExitStatus.software)
            }
        }
    }
}
