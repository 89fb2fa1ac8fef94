import NIOCore
import NIOHTTP1
import NIOPosix

/// A minimal HTTP/1.1 client for `processing-service healthcheck`: GETs a path on the service's own
/// port and returns the status code, so the runtime image needs no curl. SwiftNIO's HTTP/1 codec does the
/// protocol; this only sends one request and reads the response head.
public enum HealthProbe {
    /// The status code of `GET path` at `host:port`.
    /// - Throws: when the connection fails or no response head arrives within `timeout`.
    public static func status(host: String, port: Int, path: String = "/healthz", timeout: Duration = .seconds(3)) async throws -> Int {
        try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask { try await request(host: host, port: port, path: path) }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw HealthProbeTimeout()
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    /// The host to probe for a bind address: the wildcard addresses mean "this machine".
    public static func probeHost(forBindHost host: String) -> String {
        switch host {
        case "0.0.0.0", "": "127.0.0.1"
        case "::", "[::]": "::1"
        default: host
        }
    }

    private static func request(host: String, port: Int, path: String) async throws -> Int {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var headers = HTTPHeaders()
            headers.add(name: "Host", value: "\(host):\(port)")
            headers.add(name: "Connection", value: "close")
            try await outbound.write(.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)))
            try await outbound.write(.end(nil))
            for try await part in inbound {
                if case .head(let head) = part { return Int(head.status.code) }
            }
            throw HealthProbeTimeout()
        }
    }
}

/// No answer in time (or the connection closed before a response head).
struct HealthProbeTimeout: Error, CustomStringConvertible {
    var description: String { "no HTTP response" }
}
