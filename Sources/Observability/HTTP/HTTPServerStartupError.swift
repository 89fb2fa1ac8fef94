import NIOCore

/// The HTTP server could not start: a clear start-up error naming the variable to change, not a crash.
public struct HTTPServerStartupError: Error, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var reason: String

    public init(host: String, port: Int, reason: String) {
        self.host = host
        self.port = port
        self.reason = reason
    }

    /// EX_USAGE (64), as for other settings the service cannot run with.
    public var exitCode: Int32 { 64 }

    public var description: String {
        "HTTP_PORT=\(port) (HTTP_HOST=\(host)) cannot be used: \(reason). Set HTTP_PORT to a free port "
            + "(0 picks any free port) or HTTP_ENABLED=false"
    }

    /// "address already in use" rather than NIO's `bind(descriptor:ptr:bytes:): Address already in use (errno: 98)`.
    static func reason(for error: any Error) -> String {
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
