import Kafka
import ServiceLifecycle

/// Services that run beside the consumer in the service's `ServiceGroup` — the HTTP server with health,
/// readiness, metrics and the status page (the `Observability` target), its monitors — without
/// `ProcessingCore` depending on them.
///
/// `ProcessingServiceApp` calls `prepare()` first, before it connects to anything, then `arrange(...)` with
/// the services it built, and runs the services in the order returned. The group starts services in that
/// order and, on SIGTERM, shuts them down in reverse order, each after the one behind it has finished: a
/// service placed before the consumer's keeps running until the consumer has drained and closed (an HTTP
/// server that must answer during the drain), one placed after it stops first (a marker that records that
/// shutdown began).
public protocol ServiceCompanion: Sendable {
    /// Checks what can be checked before connecting (e.g. that the HTTP port is free); throwing stops
    /// the start-up with that error.
    func prepare() async throws

    /// The group's services in start order, given the service's own (consumer first).
    func arrange(_ services: [any Service], consumer: KafkaConsumer, pipeline: EventPipeline) throws -> [any Service]
}
