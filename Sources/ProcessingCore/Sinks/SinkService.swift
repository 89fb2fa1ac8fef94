import Logging
import ServiceLifecycle

/// Runs a ``SinkStage`` as a `Service` of the service group, and logs what it stored when it ends.
///
/// Put it *before* the consumer's service in the group: services stop in reverse order, so the stage keeps
/// writing while the consumer shuts down (the pipeline's drain needs it), and its own graceful shutdown
/// comes after the consumer closed. By then anything the stage still holds was not committed (the drain
/// ran out of `SHUTDOWN_TIMEOUT`), so the stage is cancelled rather than waited for: those events are
/// delivered again after the restart. It does not end before that, even when drained early, so that the
/// group does not take its end for a failure and cancel the consumer's shutdown.
public struct SinkService: Service {
    private let stage: SinkStage
    private let sinkName: String
    private let logger: Logger

    public init(stage: SinkStage, sinkName: String, logger: Logger) {
        self.stage = stage
        self.sinkName = sinkName
        self.logger = logger
    }

    public func run() async throws {
        let writing = Task { await stage.run() }
        await withGracefulShutdownHandler {
            await writing.value
            // Drained: wait for the group's shutdown to reach this service (or for cancellation).
            try? await gracefulShutdown()
        } onGracefulShutdown: {
            writing.cancel()
        }
        writing.cancel()
        let statistics = stage.statistics
        logger.info(
            "Event store closed",
            metadata: [
                "sink": "\(sinkName)", "stored": "\(statistics.stored)", "duplicates": "\(statistics.duplicates)",
                "batches": "\(statistics.batches)", "rejected": "\(statistics.rejected)",
                "unavailable_attempts": "\(statistics.unavailableAttempts)", "pending": "\(stage.batcher.pendingEvents)",
            ])
    }
}
