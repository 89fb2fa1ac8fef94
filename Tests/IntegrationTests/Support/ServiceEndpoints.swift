import Foundation
import TestSupport

/// The HTTP endpoints of a `ServiceProcess` started with `HTTP_PORT=0` (the default for test children):
/// the port comes from its `HTTP server listening` log line.
struct ServiceEndpoints: Sendable {
    let port: Int
    var base: String { "http://127.0.0.1:\(port)" }

    /// Waits for the service's `HTTP server listening` line. - Parameter timeout: a hang bound.
    static func of(_ service: ServiceProcess, timeout: Duration = .seconds(60)) async throws -> ServiceEndpoints {
        try await service.waitForLine("HTTP server listening", timeout: timeout) { $0.message == "HTTP server listening" }
        let line = service.logLines.first { $0.message == "HTTP server listening" }
        guard let port = line?.metadata["port"].flatMap({ Int($0) }) else {
            throw ChildProcessError(description: "no port in the HTTP server listening line: \(String(describing: line))")
        }
        return ServiceEndpoints(port: port)
    }

    func get(_ path: String) async throws -> HTTPGet.Response {
        try await HTTPGet.fetch("\(base)\(path)")
    }

    /// `/readyz`'s status code and its checks by name (`ok`).
    func readiness() async throws -> (status: Int, checks: [String: Bool]) {
        let response = try await get("/readyz")
        let body = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        var checks: [String: Bool] = [:]
        for check in body?["checks"] as? [[String: Any]] ?? [] {
            if let name = check["name"] as? String { checks[name] = check["ok"] as? Bool }
        }
        return (response.status, checks)
    }

    func metrics() async throws -> MetricsScrape {
        MetricsScrape(try await get("/metrics").text)
    }

    /// `/status` as JSON.
    func status() async throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: try await get("/status").body) as? [String: Any] ?? [:]
    }
}

/// Waits until the asynchronous `condition` holds, checking every 100 ms; throws naming `what` (and
/// `details()` at that moment) when `timeout` passes first. `timeout` is a hang bound.
func eventuallyAsync(
    _ what: String,
    timeout: Duration = .seconds(120),
    details: () async -> String = { "" },
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while true {
        if (try? await condition()) == true { return }
        guard ContinuousClock.now < deadline else {
            throw ChildProcessError(description: "timed out after \(timeout) waiting for \(what) \(await details())")
        }
        try await Task.sleep(for: .milliseconds(100))
    }
}
