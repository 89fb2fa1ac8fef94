import CoreMetrics
import Kafka
import Logging
import ProcessingCore
import ServiceLifecycle
import Synchronization

/// Everything issue 13 adds to the running service, as a `ServiceCompanion` of `ProcessingServiceApp`:
/// the HTTP server, the `ConsumerMonitor`, the progress log and the shutdown marker.
///
/// The HTTP server starts in `prepare()`, before the service connects to Kafka, so its probes answer
/// through the start-up's connection retries (`/healthz` 200, `/readyz` 503: not connected yet, see
/// `StartupStatusSource`); `arrange` then attaches the running service to it and places everything in the
/// order that keeps `/readyz` truthful through a shutdown:
///
///     [HTTP server, monitor, <consumer services>, progress log, shutdown marker]
///
/// The group shuts down in reverse: the marker first (`/readyz` → 503 at once), the progress log, then
/// the consumer drains and closes, then the monitor and last the HTTP server, which answered throughout.
public final class ObservabilityCompanion: ServiceCompanion {
    private let configuration: ServiceConfiguration
    private let logger: Logger
    private let onListening: @Sendable (String, Int) -> Void
    /// The registry `/metrics` renders (made up front, so `bootstrapMetricsSystem()` can point
    /// swift-metrics at it before the service runs).
    private let metrics: ServiceMetrics
    /// What the HTTP server answers: the start-up's state until `arrange` attaches the running service.
    private let source: StartupStatusSource
    /// The HTTP server `prepare()` started; nil before, or with `HTTP_ENABLED=false`.
    private let server = Mutex<EarlyHTTPServer?>(nil)

    /// - Parameters:
    ///   - onListening: told the HTTP server's bound address and port (for in-process tests; the log line
    ///     `HTTP server listening` says the same).
    public init(
        configuration: ServiceConfiguration, logger: Logger,
        onListening: @escaping @Sendable (String, Int) -> Void = { _, _ in }
    ) {
        self.configuration = configuration
        self.logger = logger
        self.onListening = onListening
        let metrics = ServiceMetrics(version: ServiceVersion.current, group: configuration.groupID, topic: configuration.topic)
        self.metrics = metrics
        self.source = StartupStatusSource(
            topic: configuration.topic, group: configuration.groupID, version: ServiceVersion.current, metrics: metrics)
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

    /// Starts the HTTP server (a taken `HTTP_PORT` fails here, before anything connects).
    public func prepare() async throws {
        let settings = configuration.observability
        guard settings.httpEnabled else { return }
        let source = self.source
        let running = try await EarlyHTTPServer.start(
            host: settings.httpHost, port: settings.httpPort, source: source, metrics: { source.metricsText() },
            logger: logger, onListening: onListening)
        server.withLock { $0 = running }
    }

    /// Stops the HTTP server when the start-up ended without `arrange` (a signal, Kafka unreachable).
    public func abandon() async {
        await server.withLock { $0 }?.stop()
    }

    public func arrange(_ services: [any Service], parts: ServiceParts) throws -> [any Service] {
        let settings = configuration.observability
        let consumer = parts.consumer
        let pipeline = parts.pipeline
        let store = parts.store
        // The event store, when the service writes to one, is the one check beyond Kafka's.
        let readinessChecks: @Sendable () -> [ProbeReport.Check] = {
            store.map { [Self.storeCheck(name: $0.name, reachable: $0.isReachable())] } ?? []
        }
        let lifecycle = ServiceLifecycleState()
        let monitor = ConsumerMonitor(
            consumer: consumer, pipeline: pipeline, lifecycle: lifecycle,
            startsAtEarliest: configuration.autoOffsetReset == .earliest || configuration.readFromBeginning,
            logger: logger)
        let live = LiveStatusSource(
            consumer: consumer, pipeline: pipeline, monitor: monitor, lifecycle: lifecycle,
            topic: configuration.topic, group: configuration.groupID, version: ServiceVersion.current,
            extraReadinessChecks: readinessChecks)
        let metrics = self.metrics
        source.attach(live) {
            let snapshot = pipeline.pipelineSnapshot()
            return metrics.exposition(
                status: live.status(pipeline: snapshot), pipeline: snapshot, observations: consumer.observations,
                live: live.liveness().isOK, ready: live.readiness().isOK)
        }
        var arranged: [any Service] = []
        if let server = server.withLock({ $0 }) {
            arranged.append(server.service)
        }
        arranged.append(monitor)
        arranged.append(contentsOf: services)
        arranged.append(ProgressReporter(source: live, interval: settings.progressLogInterval, logger: logger))
        arranged.append(ShutdownMarker(lifecycle: lifecycle))
        return arranged
    }
}
