#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `DATABASE_URL`, parsed: `postgres://user:password@host:port/database?sslmode=prefer`.
///
/// The libpq forms people already use: scheme `postgres` or `postgresql`; user and password
/// percent-encoded; port 5432 when absent; `sslmode` one of `disable`, `allow`, `prefer` (the default, as
/// in libpq), `require`, `verify-ca`, `verify-full`; and `?host=/directory` for a Unix-domain socket
/// (`/directory/.s.PGSQL.<port>`), as libpq takes it. The password is kept for connecting only: the
/// ``description`` (what logs and errors show) leaves it out.
public struct DatabaseURL: Sendable, Equatable, CustomStringConvertible {
    /// How to use TLS, as libpq's `sslmode`.
    public enum TLSMode: String, Sendable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var user: String
    public var password: String?
    /// The server's host name or address; nil when connecting through ``unixSocketPath``.
    public var host: String?
    public var port: Int
    /// The socket file, when `host=` named a directory.
    public var unixSocketPath: String?
    public var database: String
    public var tlsMode: TLSMode

    public init(
        user: String, password: String?, host: String?, port: Int = 5432, unixSocketPath: String? = nil,
        database: String, tlsMode: TLSMode = .prefer
    ) {
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.unixSocketPath = unixSocketPath
        self.database = database
        self.tlsMode = tlsMode
    }

    /// Parses `text`, or says what is wrong with it (never quoting the password).
    public init(parsing text: String) throws(DatabaseURLError) {
        guard let components = URLComponents(string: text),
            let scheme = components.scheme?.lowercased()
        else { throw DatabaseURLError("is not a URL (expected postgres://user:password@host:port/database)") }
        guard scheme == "postgres" || scheme == "postgresql" else {
            throw DatabaseURLError("has scheme \"\(scheme)\" (expected postgres:// or postgresql://)")
        }
        guard let user = components.user.flatMap({ $0.removingPercentEncoding }), !user.isEmpty else {
            throw DatabaseURLError("names no user (expected postgres://user:password@host:port/database)")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw DatabaseURLError("names no database (expected .../database after the host)")
        }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw DatabaseURLError("has port \(port) (expected 1–65535)") }
        var tlsMode = TLSMode.prefer
        var socketDirectory: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    throw DatabaseURLError(
                        "has sslmode=\(item.value ?? "") (expected one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                tlsMode = mode
            case "host":
                guard let value = item.value, value.hasPrefix("/") else {
                    throw DatabaseURLError("has host=\(item.value ?? "") (expected the directory of the server's socket)")
                }
                socketDirectory = value
            default:
                throw DatabaseURLError("has an unknown parameter \"\(item.name)\" (known: sslmode, host)")
            }
        }
        let host = components.host.flatMap { $0.isEmpty ? nil : $0 }
        guard host != nil || socketDirectory != nil else {
            throw DatabaseURLError("names no host (expected postgres://user:password@host:port/database)")
        }
        self.init(
            user: user, password: components.password.flatMap { $0.removingPercentEncoding },
            host: socketDirectory == nil ? host : nil, port: port,
            unixSocketPath: socketDirectory.map { "\($0)/.s.PGSQL.\(port)" }, database: database, tlsMode: tlsMode)
    }

    /// The URL without its password, for logs.
    public var description: String {
        let password = password == nil ? "" : ":***"
        if let unixSocketPath {
            return "postgres://\(user)\(password)@/\(database)?host=\(unixSocketPath)"
        }
        return "postgres://\(user)\(password)@\(host ?? ""):\(port)/\(database)?sslmode=\(tlsMode.rawValue)"
    }
}

/// What is wrong with a `DATABASE_URL`; the message never contains the password.
public struct DatabaseURLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var problem: String
    public init(_ problem: String) { self.problem = problem }
    public var description: String { problem }
}
