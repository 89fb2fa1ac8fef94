import Foundation
import TestSupport

/// The durable stores the integration tests run the service against, with the same questions asked of each:
/// what is stored, and a way to take the store away and bring it back.
enum SinkKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case postgres, sqlite, files
    var description: String { rawValue }
}

/// One store for one test: a throwaway PostgreSQL server, or a temporary SQLite file or directory; removed
/// when the test ends (`defer { await store.remove() }`).
final class StoreUnderTest: @unchecked Sendable {
    // `@unchecked`: `locker` is only touched by the test's own task (and the `OffPool` thread it awaits).
    let kind: SinkKind
    private let server: PostgresServer?
    private let directory: URL
    private var locker: Process?
    private var lockerInput: Pipe?

    private init(kind: SinkKind, server: PostgresServer?, directory: URL) {
        self.kind = kind
        self.server = server
        self.directory = directory
    }

    static func make(_ kind: SinkKind) async throws -> StoreUnderTest {
        let directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("store-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        do {
            let server = kind == .postgres ? try await PostgresServer.start() : nil
            return StoreUnderTest(kind: kind, server: server, directory: directory)
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    var sqlitePath: String { directory.appendingPathComponent("events.sqlite").path }
    var filesDirectory: URL { directory.appendingPathComponent("events") }

    /// What the service needs to store here: `SINK` and its store's variable.
    var environment: [String: String] {
        switch kind {
        case .postgres: ["SINK": "postgres", "DATABASE_URL": server!.url()]
        case .sqlite: ["SINK": "sqlite", "SQLITE_PATH": sqlitePath]
        case .files: ["SINK": "files", "FILES_DIR": filesDirectory.path]
        }
    }

    /// Every stored event id (one per row or file; the store allows no repeats, so a repeat here is a bug).
    func storedEventIDs() async throws -> [String] {
        switch kind {
        case .postgres:
            let output = try await server!.psql("SELECT event_id FROM events")
            return output.isEmpty ? [] : output.split(separator: "\n").map(String.init)
        case .sqlite:
            guard FileManager.default.fileExists(atPath: sqlitePath) else { return [] }
            let output = try await SQLiteShell.run(sqlitePath, "SELECT event_id FROM events")
            return output.isEmpty ? [] : output.split(separator: "\n").map(String.init)
        case .files:
            guard let walker = FileManager.default.enumerator(atPath: filesDirectory.path) else { return [] }
            var ids: [String] = []
            while let path = walker.nextObject() as? String {
                guard !path.hasPrefix(".incoming"), path.hasSuffix(".json") else { continue }
                ids.append(String(URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent))
            }
            return ids
        }
    }

    /// The output of `sql` on the PostgreSQL store (`psql`, unaligned, tuples only).
    func query(_ sql: String) async throws -> String {
        guard let server else { throw StoreError("the \(kind) store takes no SQL") }
        return try await server.psql(sql)
    }

    /// Takes the store away: PostgreSQL stopped; the SQLite file locked by another writer (a `sqlite3`
    /// holding `BEGIN EXCLUSIVE`); the files directory replaced by a regular file.
    func makeUnavailable() async throws {
        switch kind {
        case .postgres:
            await server!.stop()
        case .sqlite:
            let process = Process()
            process.executableURL = URL(fileURLWithPath: SQLiteShell.path)
            process.arguments = [sqlitePath]
            let input = Pipe()
            let output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            try process.run()
            // Answers once the lock is held, so the caller knows the store is unavailable from here on. It
            // waits for the service's own write to end (`.timeout`), and gives up rather than going on
            // without the lock (`.bail`): a failed BEGIN would otherwise still print the answer.
            try input.fileHandleForWriting.write(
                contentsOf: Data(".bail on\n.timeout 30000\nBEGIN EXCLUSIVE;\nSELECT 'locked';\n".utf8))
            let line = await PipeReader(output.fileHandleForReading.fileDescriptor).nextLineOffPool()
            guard line == "locked" else { throw StoreError("sqlite3 did not take the lock: \(line ?? "EOF")") }
            locker = process
            lockerInput = input
        case .files:
            try FileManager.default.moveItem(at: filesDirectory, to: directory.appendingPathComponent("events.away"))
            try Data("the store is away".utf8).write(to: filesDirectory)
        }
    }

    /// Brings the store back as it was.
    func makeAvailable() async throws {
        switch kind {
        case .postgres:
            try await server!.start()
        case .sqlite:
            try lockerInput?.fileHandleForWriting.write(contentsOf: Data("COMMIT;\n.quit\n".utf8))
            try lockerInput?.fileHandleForWriting.close()
            await OffPool.run { [self] in locker?.waitUntilExit() }
            locker = nil
            lockerInput = nil
        case .files:
            try FileManager.default.removeItem(at: filesDirectory)
            try FileManager.default.moveItem(at: directory.appendingPathComponent("events.away"), to: filesDirectory)
        }
    }

    func remove() async {
        locker?.terminate()
        if let server { await server.stop() }
        try? FileManager.default.removeItem(at: directory)
    }
}

struct StoreError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension StoreUnderTest {
    /// Creates the SQLite events table before the service does, with a CHECK constraint of an operator's:
    /// `user_id` must not start with `banned`.
    func createSQLiteTableWithCheck() async throws {
        _ = try await SQLiteShell.run(
            sqlitePath,
            """
            CREATE TABLE events (event_id TEXT PRIMARY KEY NOT NULL, event_type TEXT NOT NULL, "timestamp" TEXT NOT NULL,
              request_id TEXT, user_id TEXT CHECK (user_id NOT LIKE 'banned%'), session_id TEXT, page_url TEXT,
              event_data TEXT, client_info TEXT, service_info TEXT, processing_info TEXT, kafka_topic TEXT NOT NULL,
              kafka_partition INTEGER NOT NULL, kafka_offset INTEGER NOT NULL,
              stored_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))) WITHOUT ROWID
            """)
    }
}
