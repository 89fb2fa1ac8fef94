import ArgumentParser
import Foundation
import ProcessingCore

/// The flags that override configuration, shared by every subcommand that talks to Kafka.
struct ServiceOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Kafka bootstrap brokers, comma-separated host:port (KAFKA_BROKERS).", valueName: "host:port,..."))
    var brokers: String?

    @Option(name: .long, help: ArgumentHelp("The topic to consume (KAFKA_TOPIC).", valueName: "name"))
    var topic: String?

    @Option(name: .customLong("group-id"), help: ArgumentHelp("The consumer group (KAFKA_GROUP_ID).", valueName: "id"))
    var groupID: String?

    @Flag(help: "Start every partition assigned in this run at its earliest offset, whatever was committed.")
    var readFromBeginning = false

    @Option(
        name: .customLong("kafka-property"),
        help: ArgumentHelp(
            "Set a librdkafka property (repeatable); wins over KAFKA_CFG_<NAME> variables.",
            valueName: "name=value"
        )
    )
    var kafkaProperties: [String] = []

    /// The flags as configuration overrides; validation happens when the configuration is loaded, so a
    /// malformed flag is reported together with any other problem.
    var commandLineOverrides: CommandLineOverrides {
        CommandLineOverrides(
            brokers: brokers,
            topic: topic,
            groupID: groupID,
            readFromBeginning: readFromBeginning,
            kafkaProperties: kafkaProperties
        )
    }
}

extension ServiceOptions {
    /// Loads the configuration (flags > environment > `.env` > defaults). A bad setting is reported on
    /// stderr, one plain line per problem, and the process exits with EX_USAGE before anything connects,
    /// so an orchestrator shows the reason instead of a crash loop.
    func loadConfiguration() throws -> ServiceConfiguration {
        do {
            return try ServiceConfiguration.load(
                commandLine: commandLineOverrides,
                environment: ProcessInfo.processInfo.environment,
                environmentFilePath: ServiceConfiguration.environmentFileName
            )
        } catch {
            for issue in error.issues {
                FileHandle.standardError.write(Data("configuration error: \(issue)\n".utf8))
            }
            throw ExitCode(ExitStatus.usage)
        }
    }
}
