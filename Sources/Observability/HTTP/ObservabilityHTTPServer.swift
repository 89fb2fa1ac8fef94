import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// The HTTP server on Hummingbird 2: `/healthz`, `/readyz`, `/metrics`, `/status` and the status page `/`.
/// A `Service`, started before the service connects to Kafka and stopped after the consumer drained
/// (with `/readyz` at 503 meanwhile), see `EarlyHTTPServer`.
public struct ObservabilityHTTPServer: Service {
    private let host: String
    private let port: Int
    private let source: any StatusSource
    private let metrics: @Sendable () -> String
    private let logger: Logger
    private let onListening: @Sendable (String, Int) -> Void

    /// - Parameters:
    ///   - metrics: the exposition text, made per scrape.
    ///   - onListening: called with the bound address and port once the server listens.
    public init(
        host: String, port: Int, source: any StatusSource, metrics: @escaping @Sendable () -> String, logger: Logger,
        onListening: @escaping @Sendable (String, Int) -> Void = { _, _ in }
    ) {
        self.host = host
        self.port = port
        self.source = source
        self.metrics = metrics
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        var quiet = logger
        // Hummingbird logs its own start line at info; ours (with the bound port) is the one to read.
        quiet.logLevel = max(logger.logLevel, .warning)
        let logger = self.logger
        let onListening = self.onListening
        let application = Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                let address = channel.localAddress
                let ip = address?.ipAddress ?? "?"
                let port = address?.port ?? -1
                logger.info("HTTP server listening", metadata: ["address": "\(ip)", "port": "\(port)"])
                onListening(ip, port)
            },
            logger: quiet
        )
        do {
            try await application.run()
        } catch let error as IOError {
            throw HTTPServerStartupError(host: host, port: port, reason: HTTPServerStartupError.reason(for: error))
        }
    }

    private func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        let source = self.source
        let metrics = self.metrics
        router.get("/healthz") { _, _ in Self.probe(source.liveness()) }
        router.get("/readyz") { _, _ in Self.probe(source.readiness()) }
        router.get("/status") { _, _ in Self.json(source.status(), status: .ok) }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: metrics())))
        }
        router.get("/") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: StatusPage.html)))
        }
        return router
    }

    private static func probe(_ report: ProbeReport) -> Response {
        json(report, status: report.isOK ? .ok : .serviceUnavailable)
    }

    private static func json(_ value: some Encodable, status: HTTPResponse.Status) -> Response {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        let body = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
