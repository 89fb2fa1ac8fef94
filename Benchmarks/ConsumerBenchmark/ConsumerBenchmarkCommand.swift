import ArgumentParser

/// `consumer-benchmark`: the end-to-end throughput benchmark of issue 4.
///
/// `run` is the one command README quotes: it starts the mock broker, produces the data set and measures
/// the raw librdkafka baseline (`raw`, this same executable in a child process) and the service, each in
/// its own process, then prints events/s, CPU seconds, peak RSS and the service/raw ratios.
@main
struct ConsumerBenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consumer-benchmark",
        abstract: "Measure the service's consume path against a raw librdkafka poll loop.",
        subcommands: [RunCommand.self, RawConsumeCommand.self],
        defaultSubcommand: RunCommand.self
    )
}
