import Foundation

/// A real Prometheus server (Debian's `prometheus` package) for a test: a temporary configuration that
/// scrapes the given targets every second, its own storage in a temporary directory, a free loopback port
/// for its web listener, and its HTTP API for PromQL queries. Use it through ``with(targets:metricsPath:_:)``,
/// which stops it (SIGTERM, then SIGKILL after 10 s) and waits for its exit off the cooperative pool; an
/// object let go without ``stop()`` kills the process without waiting.
public final class PrometheusServer: @unchecked Sendable {
    // `@unchecked`: `Process` is not Sendable; it is only started here and terminated in `stop()`.
    private let process = Process()
    private let directory: URL
    /// `http://127.0.0.1:<port>`.
    public let baseURL: String

    /// The `prometheus` binary: `PROMETHEUS_PATH`, else `/usr/bin/prometheus`.
    public static var executablePath: String {
        ProcessInfo.processInfo.environment["PROMETHEUS_PATH"] ?? "/usr/bin/prometheus"
    }

    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: executablePath) }

    /// Starts Prometheus scraping `targets` (`host:port`) at `metricsPath` every second, job `service`.
    public init(targets: [String], metricsPath: String = "/metrics") throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("prometheus-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let configuration = """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: service
                metrics_path: \(metricsPath)
                static_configs:
                  - targets: [\(targets.map { "'\($0)'" }.joined(separator: ", "))]
            """
        let configurationFile = directory.appendingPathComponent("prometheus.yml")
        try Data(configuration.utf8).write(to: configurationFile)
        let port = try FreePort.pick()
        baseURL = "http://127.0.0.1:\(port)"
        process.executableURL = URL(fileURLWithPath: Self.executablePath)
        process.arguments = [
            "--config.file=\(configurationFile.path)",
            "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
            "--web.listen-address=127.0.0.1:\(port)",
            "--log.level=warn",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.standardError
        try process.run()
    }

    /// Starts Prometheus scraping `targets`, runs `body` with it, and stops it however `body` ends.
    public static func with<T>(
        targets: [String], metricsPath: String = "/metrics", _ body: (PrometheusServer) async throws -> T
    ) async throws -> T {
        let server = try PrometheusServer(targets: targets, metricsPath: metricsPath)
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    deinit {
        // Never blocks: `stop()` is the graceful, awaited way.
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Waits until `/-/ready` answers 200. - Parameter timeout: a hang bound.
    public func waitUntilReady(timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw PrometheusServerError.exited(process.terminationStatus) }
            if let response = try? await HTTPGet.fetch("\(baseURL)/-/ready", timeout: 2), response.status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw PrometheusServerError.timedOut("Prometheus to become ready")
    }

    /// One sample of an instant query's vector result.
    public struct Sample: Sendable {
        public var labels: [String: String]
        public var value: Double
    }

    /// The result of an instant PromQL query (`/api/v1/query`), which must be a vector.
    public func query(_ promQL: String) async throws -> [Sample] {
        var components = URLComponents(string: "\(baseURL)/api/v1/query")!
        components.queryItems = [URLQueryItem(name: "query", value: promQL)]
        let response = try await HTTPGet.fetch(components.url!)
        guard response.status == 200,
              let json = try JSONSerialization.jsonObject(with: response.body) as? [String: Any],
              let data = json["data"] as? [String: Any], let result = data["result"] as? [[String: Any]]
        else { throw PrometheusServerError.badAnswer(response.text) }
        return result.compactMap { entry in
            guard let metric = entry["metric"] as? [String: String], let value = entry["value"] as? [Any],
                  value.count == 2, let text = value[1] as? String, let number = Double(text) else { return nil }
            return Sample(labels: metric, value: number)
        }
    }

    /// SIGTERM, then SIGKILL if it has not exited after 10 s; returns once it has exited and its storage is
    /// removed. The waiting happens on a thread of its own (`OffPool`). Idempotent.
    public func stop() async {
        await OffPool.run { [self] in
            if process.isRunning {
                process.terminate()
                let deadline = Date().addingTimeInterval(10)
                while process.isRunning && Date() < deadline { usleep(20_000) }
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                process.waitUntilExit()
            }
            try? FileManager.default.removeItem(at: directory)
        }
    }
}

public enum PrometheusServerError: Error {
    case exited(Int32)
    case timedOut(String)
    case badAnswer(String)
}
