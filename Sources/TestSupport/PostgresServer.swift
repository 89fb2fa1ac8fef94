import Foundation

/// A throwaway PostgreSQL server for one test: `initdb` into a temporary directory, `postgres` on a free
/// loopback port (and a Unix socket in that directory), stopped and deleted at the end.
///
/// Uses Debian's `postgresql` binaries (`/usr/lib/postgresql/<major>/bin`, or `POSTGRES_BIN_DIR`). As root
/// — the tests' usual case here — the directory is handed to the `postgres` user and the server runs as
/// that user (PostgreSQL refuses to run as root). Authentication is `trust`: any user name that exists
/// (`postgres`) connects, with any password.
///
/// ``stop()`` and ``start()`` may be called again mid-test (a store that goes down and comes back): the
/// data stays, and the server comes back on the same port. Blocking work (starting, stopping, `psql`)
/// runs on a thread of its own, never on Swift's cooperative pool.
public final class PostgresServer: @unchecked Sendable {
    // `@unchecked`: `process` is only touched under `lock`.
    private let lock = NSLock()
    private var process: Process?
    /// The temporary directory: `data/` (the cluster) and the server's socket.
    public let directory: URL
    public private(set) var port: Int = 0
    private let binaries: URL
    private let runAsPostgresUser: Bool

    /// Creates the cluster and starts the server.
    public static func start() async throws -> PostgresServer {
        try await OffPool.run {
            let server = try PostgresServer()
            try server.startBlocking()
            return server
        }
    }

    private init() throws {
        binaries = try Self.findBinaries()
        runAsPostgresUser = getuid() == 0
        directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if runAsPostgresUser {
            try FileManager.default.setAttributes([.ownerAccountName: "postgres"], ofItemAtPath: directory.path)
        }
        let initdb = try run(
            binaries.appendingPathComponent("initdb"),
            ["-D", dataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"])
        guard initdb.status == 0 else { throw PostgresServerError.failed("initdb", initdb.output) }
    }

    deinit {
        stopBlocking()
        try? FileManager.default.removeItem(at: directory)
    }

    private var dataDirectory: String { directory.appendingPathComponent("data").path }

    /// `postgres://postgres@127.0.0.1:<port>/<database>?sslmode=disable`
    public func url(database: String = "postgres", user: String = "postgres", password: String? = nil) -> String {
        let credentials = password.map { "\(user):\($0)" } ?? user
        return "postgres://\(credentials)@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    /// The URL through the Unix socket in ``directory``.
    public func socketURL(database: String = "postgres") -> String {
        "postgres://postgres@/\(database)?host=\(directory.path)"
    }

    /// Starts the server again after ``stop()`` (same data, same port).
    public func start() async throws {
        try await OffPool.run { try self.startBlocking() }
    }

    /// Stops the server (fast shutdown: open sessions are ended, committed data stays) and waits until it
    /// has exited. Idempotent.
    public func stop() async {
        await OffPool.run { self.stopBlocking() }
    }

    /// Whether the server is running.
    public var isRunning: Bool { lock.withLock { process?.isRunning ?? false } }

    /// Runs `sql` with `psql` and returns its unaligned, tuples-only output, trimmed.
    public func psql(_ sql: String, database: String = "postgres") async throws -> String {
        try await OffPool.run {
            let result = try self.run(
                self.binaries.appendingPathComponent("psql"),
                ["-X", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(self.port), "-U", "postgres",
                 "-d", database, "-c", sql], asPostgresUser: false)
            guard result.status == 0 else { throw PostgresServerError.failed("psql", result.output) }
            return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// `psql \copy` of `file` (text format) into `table`; returns psql's output (`COPY n`).
    public func copy(file: URL, into table: String, columns: [String], database: String = "postgres") async throws -> String {
        try await psql("\\copy \"\(table)\" (\(columns.joined(separator: ", "))) FROM '\(file.path)'", database: database)
    }

    // MARK: Blocking parts

    private func startBlocking() throws {
        var lastFailure = ""
        for _ in 0..<5 {
            if port == 0 { port = try FreePort.pick() }
            let process = Process()
            process.executableURL = runAsPostgresUser ? URL(fileURLWithPath: "/usr/bin/setpriv") : binaries.appendingPathComponent("postgres")
            let arguments = [
                "-D", dataDirectory, "-p", String(port), "-h", "127.0.0.1", "-k", directory.path,
                "-c", "max_connections=50", "-c", "shared_buffers=64MB",
            ]
            process.arguments =
                runAsPostgresUser
                ? ["--reuid=postgres", "--regid=postgres", "--clear-groups", "--", binaries.appendingPathComponent("postgres").path] + arguments
                : arguments
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let reader = PipeReader(errors.fileHandleForReading.fileDescriptor)
            var log: [String] = []
            // The server says when it is ready; it exits (end of its output) when it cannot start. No time
            // limit here: a server that neither starts nor exits is a hang the test runner's limit bounds.
            while let line = reader.nextLine() {
                log.append(line)
                if line.contains("ready to accept connections") {
                    lock.withLock { self.process = process }
                    // Keep draining its log so the server never blocks on a full pipe.
                    Thread.detachNewThread { while reader.nextLine() != nil {} }
                    return
                }
            }
            process.waitUntilExit()
            lastFailure = log.joined(separator: "\n")
            // Someone took the port between our check and the server's bind: pick another.
            if lastFailure.contains("could not bind") || lastFailure.contains("Address already in use") { port = 0 } else { break }
        }
        throw PostgresServerError.failed("postgres", lastFailure)
    }

    private func stopBlocking() {
        let process = lock.withLock { () -> Process? in
            defer { self.process = nil }
            return self.process
        }
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
    }

    private func run(_ executable: URL, _ arguments: [String], asPostgresUser: Bool? = nil) throws -> (status: Int32, output: String) {
        let result =
            asPostgresUser ?? runAsPostgresUser
            ? try ProcessOutput.run(
                "/usr/bin/setpriv", ["--reuid=postgres", "--regid=postgres", "--clear-groups", "--", executable.path] + arguments,
                in: URL(fileURLWithPath: "/tmp"))
            : try ProcessOutput.run(executable.path, arguments, in: URL(fileURLWithPath: "/tmp"))
        return (result.status, result.output)
    }

    private static func findBinaries() throws -> URL {
        if let override = ProcessInfo.processInfo.environment["POSTGRES_BIN_DIR"], !override.isEmpty {
            return URL(fileURLWithPath: override)
        }
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
            let bin = root.appendingPathComponent(version).appendingPathComponent("bin")
            if FileManager.default.isExecutableFile(atPath: bin.appendingPathComponent("postgres").path) { return bin }
        }
        throw PostgresServerError.failed("find", "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (install Debian's postgresql) and POSTGRES_BIN_DIR is not set")
    }

    /// Runs blocking `body` on a new thread and waits for it without holding a cooperative-pool thread.
}

/// A PostgreSQL tool failed; the message is its output.
public enum PostgresServerError: Error, CustomStringConvertible {
    case failed(String, String)

    public var description: String {
        switch self {
        case .failed(let step, let output): "\(step) failed: \(output)"
        }
    }
}
