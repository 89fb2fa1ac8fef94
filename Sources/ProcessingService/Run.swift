import ArgumentParser
import EventSinks
import Foundation
import Kafka
import Logging
import Observability
import ProcessingCore

/// Runs the service until SIGTERM/SIGINT (the default subcommand).
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the processing service (the default)."
    )

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        // Before any thread that allocates starts (see AllocatorTuning for why and what it measured).
        let allocatorTuning = AllocatorTuning.apply(environment: ProcessInfo.processInfo.environment)
        // From here on SIGTERM/SIGINT never kill the process: a signal during the configuration or the
        // start-up's connection retries is logged and stops the service with exit 0 (see ShutdownSignals).
        let signals = await ShutdownSignals.trap()
        // Configuration first, logging second: the log format and level are configuration. A bad setting
        // is reported on stderr as plain lines and the process exits with EX_USAGE before anything
        // connects, so an orchestrator shows the reason instead of a crash loop.
        let configuration = try options.loadConfiguration()

        LoggingSetup.bootstrap(
            format: configuration.logFormat, level: configuration.logLevel, bufferSize: configuration.logBufferSize
        )
        // No logger-level metadata: every processed event logs through this logger, and handler metadata
        // would be merged into each of those lines. The version goes on the start-up line instead.
        let logger = Logger(label: LoggingSetup.serviceLoggerLabel)
        logger.info(
            "Starting Processing Service...",
            metadata: configuration.logMetadata.merging(["service_version": .string(ServiceVersion.current)]) { $1 }
        )
        logger.debug("Allocator settings", metadata: ["malloc_tuning": "\(allocatorTuning)"])

        do {
            // The metrics backend first: metrics made before the bootstrap (the sink's) would record nothing.
            let companion = ObservabilityCompanion(configuration: configuration, logger: logger)
            companion.bootstrapMetricsSystem()
            let sink = EventSinkFactory.makeSink(configuration.sink, logger: logger)
            try await ProcessingServiceApp(configuration: configuration, logger: logger, sink: sink, companion: companion)
                .run(signals: signals)
        } catch let error as HTTPServerStartupError {
            logger.critical("Processing service could not start: \(error)")
            throw ExitCode(error.exitCode)
        } catch let error as ProcessingServiceError {
            logger.critical("Processing service stopped: \(error)")
            throw ExitCode(error.exitCode)
        } catch let error as KafkaError {
            logger.critical("Processing service could not start: \(error)")
            throw ExitCode(error.kind == .configuration ? ExitStatus.usage : ExitStatus.software)
        }
    }
}

/// Exit statuses from sysexits(3) that the service uses.
enum ExitStatus {
    /// EX_USAGE: the command line or the configuration is invalid.
    static let usage: Int32 = 64
    /// EX_SOFTWARE: an internal error the service cannot recover from.
    static let software: Int32 = 70
}
