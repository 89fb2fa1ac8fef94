import NIOSSL
import PostgresNIO
import ProcessingCore

extension DatabaseURL {
    /// postgres-nio's connection configuration for this URL, with libpq's `sslmode` meanings: `disable`
    /// plain; `allow`/`prefer` TLS when the server offers it, without checking its certificate; `require` TLS,
    /// certificate not checked; `verify-ca` checked against the system's CAs; `verify-full` also the host name.
    func postgresConfiguration() throws -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        if let unixSocketPath {
            configuration = .init(unixSocketPath: unixSocketPath, username: user, password: password, database: database)
        } else {
            configuration = .init(
                host: host ?? "localhost", port: port, username: user, password: password, database: database,
                tls: try tls())
        }
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }

    private func tls() throws -> PostgresConnection.Configuration.TLS {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch tlsMode {
        case .disable:
            return .disable
        case .allow, .prefer:
            tls.certificateVerification = .none
            return .prefer(try NIOSSLContext(configuration: tls))
        case .require:
            tls.certificateVerification = .none
            return .require(try NIOSSLContext(configuration: tls))
        case .verifyCA:
            tls.certificateVerification = .noHostnameVerification
            return .require(try NIOSSLContext(configuration: tls))
        case .verifyFull:
            tls.certificateVerification = .fullVerification
            return .require(try NIOSSLContext(configuration: tls))
        }
    }
}
