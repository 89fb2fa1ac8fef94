/// The `sqlite3` command-line shell (Debian's `sqlite3`, installed by `scripts/install-deps.sh`), for tests
/// that look into or prepare a database the service writes, independently of the service's own SQLite code.
public enum SQLiteShell {
    public static let path = "/usr/bin/sqlite3"

    /// Runs `sql` on the database file at `database` (created if missing), on a thread of its own rather
    /// than the cooperative pool; its output, trimmed.
    /// - Throws: `ProcessFailure`, with sqlite3's output, when it exits with another status than 0.
    public static func run(_ database: String, _ sql: String) async throws -> String {
        try await OffPool.run { try ProcessOutput.succeeding(path, [database, sql]) }
    }
}
