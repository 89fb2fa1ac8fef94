import Kafka
import Synchronization

/// What the HTTP server answers from the first moment of the process: during the start-up (while the
/// service connects to Kafka, with its retries) it is alive and `starting` but not ready — not connected
/// to the cluster yet; once the running service's `LiveStatusSource` is attached, it answers with that.
///
/// Why the server answers before the consumer exists: a liveness probe that gets no answer during a long
/// broker outage at start-up (up to `MAX_RETRIES × CONNECT_TIMEOUT + …`) would have the orchestrator kill a
/// service that is only waiting, as Spring Boot's actuator and Karafka avoid by serving from the start.
final class StartupStatusSource: StatusSource {
    private struct Attached: Sendable {
        var source: LiveStatusSource
        var metrics: @Sendable () -> String
    }

    private let attached = Mutex<Attached?>(nil)
    private let topic: String
    private let group: String
    private let version: String
    private let metrics: ServiceMetrics

    init(topic: String, group: String, version: String, metrics: ServiceMetrics) {
        self.topic = topic
        self.group = group
        self.version = version
        self.metrics = metrics
    }

    /// From now on every answer is `source`'s, and `/metrics` is `metricsText`.
    func attach(_ source: LiveStatusSource, metrics metricsText: @escaping @Sendable () -> String) {
        attached.withLock { $0 = Attached(source: source, metrics: metricsText) }
    }

    private var live: Attached? { attached.withLock { $0 } }

    func status() -> ServiceStatus {
        live?.source.status() ?? ServiceStatus(state: .starting, version: version, topic: topic, group: group)
    }

    func liveness() -> ProbeReport {
        live?.source.liveness()
            ?? ProbeReport(checks: [.init(name: "poll_loop", ok: true, detail: "starting: connecting to Kafka, not polling yet")])
    }

    func readiness() -> ProbeReport {
        live?.source.readiness()
            ?? ProbeReport(checks: [
                .init(name: "not_shutting_down", ok: true, detail: "\(ServiceStatus.State.starting)"),
                .init(name: "kafka_connected", ok: false, detail: "not connected to the cluster yet (start-up: connecting to Kafka)"),
                .init(name: "group_member", ok: false, detail: "not in the group yet"),
            ])
    }

    /// The `/metrics` text: the running service's, or during the start-up its metrics with nothing counted.
    func metricsText() -> String {
        if let live { return live.metrics() }
        return metrics.exposition(
            status: status(), pipeline: PipelineSnapshot(totals: .init()), observations: ConsumerObservations(),
            live: true, ready: false)
    }
}
