import Kafka
import ServiceLifecycle

/// Services that run beside the consumer in the service's `ServiceGroup` — the HTTP server with health,
/// readiness, metrics and the status page (the `Observability` target), its monitors — without
/// `ProcessingCore` depending on them.
///
/// `ProcessingServiceApp` calls `prepare()` first, before it connects to anything, then `arrange(...)` with
/// the services it built, and runs the services in the order returned; when the start-up ends before
/// that (a signal, Kafka unreachable), it calls `abandon()` instead of `arrange`. The group starts services in that
/// order and, on SIGTERM, shuts them down in reverse order, each after the one behind it has finished: a
/// service placed before the consumer's keeps running until the consumer has drained and closed (an HTTP
/// server that must answer during the drain), one placed after it stops first (a marker that records that
/// shutdown began).
public protocol ServiceCompanion: Sendable {
    /// Starts what must run from the first moment, before the service connects (the HTTP server, whose
    /// probes answer during the start-up's connection retries), and checks what can be checked then (a
    /// free HTTP port); throwing stops the start-up with that error.
    func prepare() async throws

    /// The start-up ended without `arrange` (a signal, Kafka unreachable, a failed start-up): stops what
    /// `prepare()` started. Returns once it has stopped.
    func abandon() async

    /// The group's services in start order, given the service's own (consumer first) and its parts.
    func arrange(_ services: [any Service], parts: ServiceParts) throws -> [any Service]
}

/// The running service's parts a `ServiceCompanion` observes.
public struct ServiceParts: Sendable {
    public var consumer: KafkaConsumer
    public var pipeline: EventPipeline
    /// Whether the event store the service writes to is reachable now, with its name (`/readyz` reports
    /// it); nil when the service writes to no store.
    public var store: (name: String, isReachable: @Sendable () -> Bool)?

    public init(consumer: KafkaConsumer, pipeline: EventPipeline, store: (name: String, isReachable: @Sendable () -> Bool)? = nil) {
        self.consumer = consumer
        self.pipeline = pipeline
        self.store = store
    }
}
