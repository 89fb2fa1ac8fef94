import ServiceLifecycle

/// A service that does nothing but record, in `ServiceLifecycleState`, the moment graceful shutdown
/// begins. Placed last in the group, it is the first to be told, so `/readyz` answers 503 from the first
/// moment of the drain, while the consumer still finishes its in-flight events.
struct ShutdownMarker: Service {
    let lifecycle: ServiceLifecycleState

    func run() async throws {
        // Returns when graceful shutdown begins (or throws when the group is cancelled).
        try await gracefulShutdown()
        lifecycle.markDraining()
    }
}
