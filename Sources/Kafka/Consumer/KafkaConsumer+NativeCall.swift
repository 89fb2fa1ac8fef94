extension KafkaConsumer {
    /// Runs a blocking librdkafka request on the consumer's handle: on a thread of its own (never the
    /// cooperative pool, whose few threads one blocked call would stall), registered as an in-flight native
    /// call so that the poll thread does not destroy the handle before the request returned.
    ///
    /// The one runner of the consumer's blocking requests (metadata, offsets, member id).
    /// - Throws: `.closed` once the consumer has closed (nothing ran), `.other` when no thread could start.
    func blockingCall<Success: Sendable>(
        _ what: String, _ body: @escaping @Sendable (OpaquePointer) -> Result<Success, KafkaError>
    ) async throws(KafkaError) -> Success {
        guard state.withLock({ $0.beginNativeCall() }) else {
            throw KafkaError(kind: .closed, message: "\(what) after the consumer closed")
        }
        // `self` (and so the handle) stays alive: this method holds it until the thread returned.
        return try await DedicatedThread.run(name: "kafka-\(what)", notStarted: { [state] in state.endNativeCall() }) {
            [handle, state] in
            defer { state.endNativeCall() }
            return body(handle.client)
        }.get()
    }
}
