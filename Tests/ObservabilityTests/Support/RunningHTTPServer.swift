import Logging
import Observability

/// Runs an `ObservabilityHTTPServer` on 127.0.0.1, any free port, for the duration of `body`.
func withHTTPServer<Result: Sendable>(
    source: any StatusSource, metrics: @escaping @Sendable () -> String = { "" },
    _ body: (Int) async throws -> Result
) async throws -> Result {
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    let server = ObservabilityHTTPServer(
        host: "127.0.0.1", port: 0, source: source, metrics: metrics, logger: Logger(label: "test-http"),
        onListening: { _, port in continuation.yield(port) })
    let task = Task { try await server.run() }
    defer { task.cancel() }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next() else { throw CancellationError() }
    do {
        let result = try await body(port)
        task.cancel()
        _ = await task.result
        return result
    } catch {
        task.cancel()
        _ = await task.result
        throw error
    }
}
