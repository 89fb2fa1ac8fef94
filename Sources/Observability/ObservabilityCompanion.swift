import CoreMetrics
import Kafka
import Logging
import ProcessingCore
import ServiceLifecycle

/// Everything issue 13 adds to the running service, as a `ServiceCompanion` of `ProcessingServiceApp`:
/// the HTTP server, the `ConsumerMonitor`, the progress log and the shutdown marker, arranged around the
/// consumer's services in the order that keeps `/readyz` truthful through a shutdown:
///
///     [HTTP server, monitor, <consumer services>, progress log, shutdown marker]
///
/// The group shuts down in reverse: the marker first (`/readyz` → 503 at once), the progress log, then
/// the consumer drains and closes, then the monitor and last the HTTP server, which answered throughout.
public struct ObservabilityCompanion: ServiceCompanion {
    private let configuration: ServiceConfiguration
    private let logger: Logger
    private let onListening: @Sendable (String, Int) -> Void
    private let extraReadinessChecks: @Sendable () -> [ProbeReport.Check]
    /// The registry `/metrics` renders (made up front, so `bootstrapMetricsSystem()` can point
    /// swift-metrics at it before the service runs).
    private let metrics: ServiceMetrics

    /// - Parameters:
    ///   - onListening: told the HTTP server's bound address and port (for in-process tests; the log line
    ///     `HTTP server listening` says the same).
    ///   - extraReadinessChecks: further `/readyz` checks, e.g. that a sink is reachable.
    public init(
        configuration: ServiceConfiguration, logger: Logger,
        onListening: @escaping @Sendable (String, Int) -> Void = { _, _ in },
        extraReadinessChecks: @escaping @Sendable () -> [ProbeReport.Check] = { [] }
    ) {
        self.configuration = configuration
        self.logger = logger
        self.onListening = onListening
        self.extraReadinessChecks = extraReadinessChecks
        self.metrics = ServiceMetrics(version: ServiceVersion.current, group: configuration.groupID, topic: configuration.topic)
    }

    /// Makes the process's swift-metrics backend the service's registry (`DescribedMetricsFactory`), so
    /// metrics recorded through the swift-metrics API elsewhere appear in `/metrics`. Once per process:
    /// the executable calls it; in-process tests leave swift-metrics alone.
    public func bootstrapMetricsSystem() {
        MetricsSystem.bootstrap(DescribedMetricsFactory(registry: metrics.registry))
    }

    /// `/readyz`'s check of the event store the service writes to.
    static func storeCheck(name: String, reachable: Bool) -> ProbeReport.Check {
        .init(
            name: "sink_reachable", ok: reachable,
            detail: reachable ? "\(name) reachable" : "\(name) cannot be written; the service waits and retries")
    }

    public func prepare() async throws {
        let settings = configuration.observability
        guard settings.httpEnabled, settings.httpPort != 0 else { return }
        try await PortAvailability.check(host: settings.httpHost, port: settings.httpPort)
    }

    public func arrange(_ services: [any Service], parts: ServiceParts) throws -> [any Service] {
        let settings = configuration.observability
        let consumer = parts.consumer
        let pipeline = parts.pipeline
        let extraReadinessChecks = self.extraReadinessChecks
        let store = parts.store
        let readinessChecks: @Sendable () -> [ProbeReport.Check] = {
            var checks = extraReadinessChecks()
            if let store { checks.append(Self.storeCheck(name: store.name, reachable: store.isReachable())) }
            return checks
        }
        let lifecycle = ServiceLifecycleState()
        let monitor = ConsumerMonitor(
            consumer: consumer, pipeline: pipeline, lifecycle: lifecycle,
            startsAtEarliest: configuration.autoOffsetReset == .earliest || configuration.readFromBeginning,
            logger: logger)
        let source = LiveStatusSource(
            consumer: consumer, pipeline: pipeline, monitor: monitor, lifecycle: lifecycle,
            topic: configuration.topic, group: configuration.groupID, version: ServiceVersion.current,
            extraReadinessChecks: readinessChecks)
        var arranged: [any Service] = []
        if settings.httpEnabled {
            let metrics = self.metrics
            arranged.append(ObservabilityHTTPServer(
                host: settings.httpHost, port: settings.httpPort, source: source,
                metrics: {
                    let snapshot = pipeline.pipelineSnapshot()
                    return metrics.exposition(
                        status: source.status(pipeline: snapshot), pipeline: snapshot, observations: consumer.observations,
                        live: source.liveness().isOK, ready: source.readiness().isOK)
                },
                logger: logger, onListening: onListening))
        }
        arranged.append(monitor)
        arranged.append(contentsOf: services)
        arranged.append(ProgressReporter(source: source, interval: settings.progressLogInterval, logger: logger))
        arranged.append(ShutdownMarker(lifecycle: lifecycle))
        return arranged
    }
}
