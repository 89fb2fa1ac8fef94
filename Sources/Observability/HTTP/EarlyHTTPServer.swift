import Logging
import ProcessingCore
import ServiceLifecycle

/// The HTTP server, started before the service connects to Kafka and so before the service's own
/// `ServiceGroup` exists: it runs in a group of its own from `start` on, and joins the service's group as
/// `service`, placed first, so that group stops it last (after the consumer drained) — or `stop()` ends it
/// when the start-up ends without that group (a signal, Kafka unreachable).
final class EarlyHTTPServer: Sendable {
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    private init(group: ServiceGroup, task: Task<Void, any Error>) {
        self.group = group
        self.task = task
    }

    /// Starts the server and returns once it listens.
    /// - Throws: `HTTPServerStartupError` when it cannot bind (a taken `HTTP_PORT`), `CancellationError`
    ///   when the calling task is cancelled first (the server is then stopped).
    static func start(
        host: String, port: Int, source: any StatusSource, metrics: @escaping @Sendable () -> String, logger: Logger,
        onListening: @escaping @Sendable (String, Int) -> Void
    ) async throws -> EarlyHTTPServer {
        let (listening, listened) = AsyncStream<Void>.makeStream()
        let server = ObservabilityHTTPServer(
            host: host, port: port, source: source, metrics: metrics, logger: logger,
            onListening: { address, port in
                onListening(address, port)
                listened.yield()
            })
        let group = ServiceGroup(configuration: .init(services: [.named(server)], gracefulShutdownSignals: [], logger: logger))
        let task = Task {
            defer { listened.finish() }
            try await group.run()
        }
        var iterator = listening.makeAsyncIterator()
        // nil: the server ended before it listened (it could not bind), or this task was cancelled.
        guard await iterator.next() != nil else {
            task.cancel()
            let ended = await task.result
            try Task.checkCancellation()
            try ended.get()
            throw HTTPServerStartupError(host: host, port: port, reason: "the server stopped before it listened")
        }
        return EarlyHTTPServer(group: group, task: task)
    }

    /// Stops the server gracefully (requests in progress are answered) and waits until it has. Idempotent.
    func stop() async {
        await group.triggerGracefulShutdown()
        _ = await task.result
    }

    /// The server as a service of the service's group: runs until that group stops it (graceful shutdown,
    /// or cancellation after another service failed), then stops the server; fails when the server fails.
    var service: some Service { HTTPServerMember(server: self) }

    private struct HTTPServerMember: Service {
        let server: EarlyHTTPServer

        func run() async throws {
            try await withGracefulShutdownHandler {
                try await withTaskCancellationHandler {
                    try await server.task.value
                } onCancel: {
                    // The group is cancelled because another service failed (a fatal Kafka error): stop
                    // gracefully all the same — cancelling Hummingbird logs errors of its own, which would
                    // hide the one that matters — the server answers from memory, so this is quick.
                    Task { await server.stop() }
                }
            } onGracefulShutdown: {
                Task { await server.stop() }
            }
        }
    }
}
