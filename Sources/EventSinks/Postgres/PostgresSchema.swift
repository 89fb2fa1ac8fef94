import Logging
import PostgresNIO

/// The events table in PostgreSQL, created when missing and versioned: `<table>_schema_migrations` records
/// each migration applied, so a later release adds a migration to ``migrations`` and every database it
/// starts against is brought up to date, once, at start-up.
///
/// Migrations run in one transaction under a transaction-scoped advisory lock, so two instances starting
/// at once do not both apply them.
struct PostgresSchema {
    let table: String

    /// The table name quoted as an identifier. `SINK_TABLE` is checked to be a plain lower-case name
    /// (`SinkConfiguration.isPlainIdentifier`), so quoting cannot be escaped from.
    var quotedTable: String { "\"\(table)\"" }
    var migrationsTable: String { "\"\(table)_schema_migrations\"" }
    /// The per-connection staging table for writes that may hold duplicates (see `PostgresEventSink`).
    var stagingTable: String { "\(table)_incoming" }

    /// Each migration's statements, in order; the version is the position + 1. Never edit a shipped one.
    var migrations: [[String]] {
        [
            [
                """
                CREATE TABLE IF NOT EXISTS \(quotedTable) (
                    event_id text PRIMARY KEY,
                    event_type text NOT NULL,
                    "timestamp" timestamptz NOT NULL,
                    request_id text,
                    user_id text,
                    session_id text,
                    page_url text,
                    event_data jsonb,
                    client_info jsonb,
                    service_info jsonb,
                    processing_info jsonb,
                    kafka_topic text NOT NULL,
                    kafka_partition integer NOT NULL,
                    kafka_offset bigint NOT NULL,
                    stored_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                "CREATE INDEX IF NOT EXISTS \"\(table)_event_type_idx\" ON \(quotedTable) (event_type)",
                "CREATE INDEX IF NOT EXISTS \"\(table)_user_id_idx\" ON \(quotedTable) (user_id)",
                "CREATE INDEX IF NOT EXISTS \"\(table)_timestamp_idx\" ON \(quotedTable) (\"timestamp\")",
            ]
        ]
    }

    /// Applies the migrations the database has not seen; returns the versions applied.
    @discardableResult
    func migrate(_ connection: PostgresConnection, logger: Logger) async throws -> [Int] {
        try await connection.query("BEGIN", logger: logger)
        do {
            // One lock per table name: hashtext is stable across sessions and servers of one major version.
            try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT pg_advisory_xact_lock(hashtext('\(table)_schema_migrations'))"),
                logger: logger)
            try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        CREATE TABLE IF NOT EXISTS \(migrationsTable) (
                            version integer PRIMARY KEY,
                            applied_at timestamptz NOT NULL DEFAULT now()
                        )
                        """), logger: logger)
            var applied: Set<Int> = []
            for try await version in try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT version FROM \(migrationsTable)"), logger: logger
            ).decode(Int.self) {
                applied.insert(version)
            }
            var newlyApplied: [Int] = []
            for (index, statements) in migrations.enumerated() where !applied.contains(index + 1) {
                for statement in statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    PostgresQuery(unsafeSQL: "INSERT INTO \(migrationsTable) (version) VALUES (\(index + 1))"),
                    logger: logger)
                newlyApplied.append(index + 1)
            }
            try await connection.query("COMMIT", logger: logger)
            return newlyApplied
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    /// Creates this connection's staging table: same columns, emptied at every commit, private to the session.
    func createStagingTable(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            PostgresQuery(
                unsafeSQL:
                    "CREATE TEMP TABLE IF NOT EXISTS \"\(stagingTable)\" (LIKE \(quotedTable) INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
            ), logger: logger)
    }

    /// Inserts the staged rows that are not stored yet; the result is how many were inserted.
    var insertStagedSQL: String {
        let columns = EventColumns.names.map { "\"\($0)\"" }.joined(separator: ", ")
        return """
            WITH inserted AS (
                INSERT INTO \(quotedTable) (\(columns))
                SELECT \(columns) FROM "\(stagingTable)"
                ON CONFLICT (event_id) DO NOTHING
                RETURNING 1
            )
            SELECT count(*)::bigint FROM inserted
            """
    }
}
