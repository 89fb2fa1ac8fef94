import Logging
import NIOCore
import PostgresNIO
import ProcessingCore

/// Stores events as rows of a PostgreSQL table (see ``PostgresSchema`` and README "Storing events").
///
/// **How a batch is written.** One connection, one transaction per batch, `COPY ... FROM STDIN` for the
/// rows — one round trip for the data, at PostgreSQL's own ingest rate. `COPY` cannot skip rows that
/// already exist, so two ways are used:
/// - *Direct*: `COPY` into the table itself. Fastest, and what every batch does while no event is a
///   redelivery. A batch holding an already stored `event_id` fails the primary key (23505); the
///   transaction is rolled back and the batch written the other way.
/// - *Staged*: `COPY` into a temporary table (per connection, emptied at every commit), then `INSERT ...
///   SELECT ... ON CONFLICT (event_id) DO NOTHING`, which counts what it inserted: the rest are duplicates.
///   After a batch without duplicates the sink goes back to direct writes.
/// Redeliveries come in runs (the events after the last commit before a crash), so the direct way's
/// failed attempt is paid about once per run.
///
/// Durable on return: the transaction has committed with the server's `synchronous_commit` (on by default).
/// A connection lost during `COMMIT` leaves the outcome unknown; writing the batch again is safe, as the
/// rows that did commit count as duplicates.
///
/// Down: any failure that is not about the rows (see ``PostgresErrorClassifier``) drops the connection;
/// the next write connects again (and re-checks the schema), so a restarted server is picked up.
public actor PostgresEventSink: EventSink {
    public nonisolated let name = "postgres"
    private let url: DatabaseURL
    private let schema: PostgresSchema
    private let logger: Logger
    private var connection: PostgresConnection?
    private var nextConnectionID = 1
    private var writesDirectly = true

    /// - Parameters:
    ///   - url: `DATABASE_URL`.
    ///   - table: `SINK_TABLE`, a plain identifier (checked by the configuration).
    public init(url: DatabaseURL, table: String, logger: Logger) {
        self.url = url
        self.schema = PostgresSchema(table: table)
        self.logger = logger
    }

    public func open() async throws(EventSinkError) {
        _ = try await connected()
    }

    public func write(_ batch: [SinkEvent]) async throws(EventSinkError) -> SinkWriteResult {
        let connection = try await connected()
        var rows = PostgresCopyRows(capacity: batch.count * 1024)
        for event in batch { rows.append(EventColumns(event)) }
        do {
            if writesDirectly {
                do {
                    try await transaction(connection) {
                        try await $0.copyFrom(table: schema.table, columns: EventColumns.names, logger: logger) { writer in
                            try await writer.write(rows.buffer)
                        }
                    }
                    return SinkWriteResult(stored: batch.count, duplicates: 0)
                } catch let error where PostgresErrorClassifier.sqlState(error) == PostgresErrorClassifier.uniqueViolation {
                    writesDirectly = false
                }
            }
            let inserted = try await transaction(connection) { connection in
                try await connection.copyFrom(table: schema.stagingTable, columns: EventColumns.names, logger: logger) {
                    try await $0.write(rows.buffer)
                }
                let rows = try await connection.query(PostgresQuery(unsafeSQL: schema.insertStagedSQL), logger: logger)
                var count = 0
                for try await value in rows.decode(Int64.self) { count = Int(value) }
                return count
            }
            if inserted == batch.count { writesDirectly = true }
            return SinkWriteResult(stored: inserted, duplicates: batch.count - inserted)
        } catch {
            let classified = PostgresErrorClassifier.classify(error)
            if case .unavailable = classified { await disconnect() }
            throw classified
        }
    }

    public func close() async {
        await disconnect()
    }

    // MARK: Connection

    /// The open connection, or a new one with the schema checked and the staging table created.
    private func connected() async throws(EventSinkError) -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        connection = nil
        do {
            let configuration = try url.postgresConfiguration()
            let id = nextConnectionID
            nextConnectionID += 1
            let connection = try await PostgresConnection.connect(configuration: configuration, id: id, logger: logger)
            do {
                let applied = try await schema.migrate(connection, logger: logger)
                if !applied.isEmpty {
                    logger.notice(
                        "Event table schema migrated",
                        metadata: ["table": "\(schema.table)", "versions": "\(applied)", "database": "\(url)"])
                }
                try await schema.createStagingTable(connection, logger: logger)
            } catch {
                try? await connection.close().get()
                throw error
            }
            self.connection = connection
            logger.info("Connected to the event store", metadata: ["sink": "\(name)", "database": "\(url)", "table": "\(schema.table)"])
            return connection
        } catch {
            throw .unavailable(describe(PostgresErrorClassifier.classify(error)))
        }
    }

    private func disconnect() async {
        guard let connection else { return }
        self.connection = nil
        try? await connection.close().get()
    }

    /// `BEGIN`, `body`, `COMMIT`; `ROLLBACK` when `body` throws. By hand rather than postgres-nio's
    /// `withTransaction`, which wraps the error and hides the server's SQLSTATE behind it.
    private func transaction<Result: Sendable>(
        _ connection: PostgresConnection, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await connection.query("BEGIN", logger: logger)
        let result: Result
        do {
            result = try await body(connection)
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
        try await connection.query("COMMIT", logger: logger)
        return result
    }

    private func describe(_ error: EventSinkError) -> String {
        switch error {
        case .unavailable(let message), .rejected(let message, _): "\(url): \(message)"
        }
    }
}
