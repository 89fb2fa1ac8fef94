extension DedicatedThread {
    /// Runs blocking librdkafka work on a new dedicated thread and suspends the calling task (never
    /// blocking a cooperative-pool thread) until it returns.
    /// - Parameter notStarted: runs instead of `body` when no thread could be created.
    /// - Returns: what `body` returned, or `.other` when no thread could be created.
    package static func run<Success: Sendable>(
        name: String,
        notStarted: @Sendable () -> Void = {},
        _ body: @escaping @Sendable () -> Result<Success, KafkaError>
    ) async -> Result<Success, KafkaError> {
        await withCheckedContinuation { (continuation: CheckedContinuation<Result<Success, KafkaError>, Never>) in
            guard start(name: name, { continuation.resume(returning: body()) }) else {
                notStarted()
                continuation.resume(returning: .failure(KafkaError(kind: .other, message: "cannot start a thread for \(name)")))
                return
            }
        }
    }
}
