import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP GET for tests (the service's endpoints, Prometheus's API), without caching.
public enum HTTPGet {
    public struct Response: Sendable {
        public var status: Int
        public var body: Data
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// - Parameter timeout: a hang bound.
    public static func fetch(_ url: URL, timeout: TimeInterval = 10) async throws -> Response {
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        request.httpMethod = "GET"
        let (data, response) = try await URLSession.shared.data(for: request)
        return Response(status: (response as? HTTPURLResponse)?.statusCode ?? -1, body: data)
    }

    public static func fetch(_ string: String, timeout: TimeInterval = 10) async throws -> Response {
        guard let url = URL(string: string) else { throw URLError(.badURL) }
        return try await fetch(url, timeout: timeout)
    }
}
