import GRDB

/// The events table in SQLite: the same columns as in PostgreSQL, in SQLite's types (timestamps as RFC 3339
/// text in UTC, which sorts by time; JSON as text, queryable with SQLite's `->>` and `json_extract`).
/// Versioned by GRDB's `DatabaseMigrator` (table `grdb_migrations`), one identifier per table and version.
///
/// A rowid table with `event_id` UNIQUE rather than a `WITHOUT ROWID` table keyed by `event_id`: rows of
/// ~1 KB inserted in the order of random UUIDs spread over the whole key b-tree, so every batch's commit
/// rewrote pages all over it (measured, 1000-row transactions in WAL with synchronous=FULL: 8,100 rows/s
/// keyed, 36,800 rows/s with the rows appended and only the small unique index in UUID order).
struct SQLiteSchema {
    let table: String

    var quotedTable: String { "\"\(table)\"" }

    var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        let table = table
        let quotedTable = quotedTable
        migrator.registerMigration("\(table) v1: events table") { db in
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS \(quotedTable) (
                        event_id TEXT NOT NULL UNIQUE,
                        event_type TEXT NOT NULL,
                        "timestamp" TEXT NOT NULL,
                        request_id TEXT,
                        user_id TEXT,
                        session_id TEXT,
                        page_url TEXT,
                        event_data TEXT,
                        client_info TEXT,
                        service_info TEXT,
                        processing_info TEXT,
                        kafka_topic TEXT NOT NULL,
                        kafka_partition INTEGER NOT NULL,
                        kafka_offset INTEGER NOT NULL,
                        stored_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                    )
                    """)
            try db.execute(sql: "CREATE INDEX IF NOT EXISTS \"\(table)_event_type_idx\" ON \(quotedTable) (event_type)")
            try db.execute(sql: "CREATE INDEX IF NOT EXISTS \"\(table)_user_id_idx\" ON \(quotedTable) (user_id)")
            try db.execute(sql: "CREATE INDEX IF NOT EXISTS \"\(table)_timestamp_idx\" ON \(quotedTable) (\"timestamp\")")
        }
        return migrator
    }

    /// One row, skipped when its `event_id` is stored already. `ON CONFLICT (event_id) DO NOTHING` rather
    /// than `INSERT OR IGNORE`: `OR IGNORE` also skips rows that break a NOT NULL or CHECK constraint,
    /// silently — such a row must be rejected (and dead-lettered) instead.
    var insertSQL: String {
        let columns = EventColumns.names.map { "\"\($0)\"" }.joined(separator: ", ")
        let placeholders = Array(repeating: "?", count: EventColumns.names.count).joined(separator: ", ")
        return "INSERT INTO \(quotedTable) (\(columns)) VALUES (\(placeholders)) ON CONFLICT (event_id) DO NOTHING"
    }
}
