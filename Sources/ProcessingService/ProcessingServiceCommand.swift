import ArgumentParser
import ProcessingCore

/// `processing-service`: consumes EnrichedEvents from Kafka and processes them, at least once.
///
/// The root command only dispatches: `Run` is the default subcommand, so `processing-service
/// --read-from-beginning` runs the service. Maintenance commands (e.g. `dlq replay`) sit next to it.
@main
struct ProcessingServiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "processing-service",
        abstract: "Consume user activity events from Kafka and process each one at least once.",
        discussion: """
            Settings come from, highest precedence first: command-line flags, environment variables, \
            a .env file in the working directory, defaults. See env.example for every variable.

            Processed events are stored with SINK=postgres (DATABASE_URL), SINK=sqlite (SQLITE_PATH) or \
            SINK=files (FILES_DIR), in batches of SINK_BATCH_SIZE events or SINK_BATCH_TIMEOUT, in the \
            table SINK_TABLE; the default SINK=log stores nothing.

            Running the service is the default: 'processing-service [--brokers ...] [--topic ...] \
            [--group-id ...] [--read-from-beginning] [--kafka-property name=value ...]'. \
            See 'processing-service run --help' for its flags.
            """,
        version: ServiceVersion.current,
        subcommands: [Run.self, DeadLetterCommand.self, HealthcheckCommand.self],
        defaultSubcommand: Run.self
    )
}
