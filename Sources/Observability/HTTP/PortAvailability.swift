import NIOCore
import NIOPosix

/// Checks before the service connects to Kafka that the HTTP server's address can be bound, so a taken
/// port stops the start-up at once with an error naming `HTTP_PORT` (the server itself binds only when the
/// service group starts, after the connection to Kafka was made).
///
/// Binds and closes a listening socket with SwiftNIO (the same bootstrap options as Hummingbird's:
/// `SO_REUSEADDR`). A port taken between this check and the real bind still fails with the same error,
/// from `ObservabilityHTTPServer`.
enum PortAvailability {
    static func check(host: String, port: Int) async throws(HTTPServerStartupError) {
        do {
            let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .bind(host: host, port: port)
                .get()
            try await channel.close()
        } catch {
            throw HTTPServerStartupError(host: host, port: port, reason: describe(error))
        }
    }

    /// "address already in use" rather than NIO's `bind(descriptor:ptr:bytes:): Address already in use (errno: 98)`.
    static func describe(_ error: any Error) -> String {
        if let error = error as? IOError {
            switch error.errnoCode {
            case 98, 48: return "the address is already in use"  // EADDRINUSE on Linux, Darwin
            case 99, 49: return "the address is not available on this machine"  // EADDRNOTAVAIL
            case 13: return "permission denied (ports below 1024 need privileges)"  // EACCES
            default: return "\(error)"
            }
        }
        return "\(error)"
    }
}
