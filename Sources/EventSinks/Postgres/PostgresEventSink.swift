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
    private let writeTimeout: Duration

    /// - Parameters:
    ///   - url: `DATABASE_URL`.
    ///   - table: `SINK_TABLE`, a plain identifier (checked by the configuration).
    ///   - writeTimeout: how long one write (or connecting) may take before it counts as "unavailable" and
    ///     the connection is dropped (see `withDeadline` for why). A batch of 1000 takes tens of ms.
    public init(url: DatabaseURL, table: String, logger: Logger, writeTimeout: Duration = .seconds(15)) {
        self.url = url
        self.schema = PostgresSchema(table: table)
        self.logger = logger
        self.writeTimeout = writeTimeout
    }

    public func open() async throws(EventSinkError) {
        _ = try await connected()
    }

    public func write(_ batch: [SinkEvent]) async throws(EventSinkError) -> SinkWriteResult {
        let connection = try await connected()
        var rows = PostgresCopyRows(capacity: batch.count * 1024)
        for event in batch { rows.append(EventColumns(event)) }
        let buffer = rows.buffer
        let count = batch.count
        let (direct, schema, logger) = (writesDirectly, schema, logger)
        do {
            let inserted = try await withDeadline(writeTimeout) {
                try await Self.store(buffer, count: count, direct: direct, on: connection, schema: schema, logger: logger)
            }
            // Direct again after a batch without duplicates; staged while they keep coming.
            writesDirectly = inserted == count
            return SinkWriteResult(stored: inserted, duplicates: count - inserted)
        } catch {
            let classified = PostgresErrorClassifier.classify(error)
            if case .unavailable = classified { await disconnect() }
            throw classified
        }
    }

    /// One transaction: `COPY` straight into the table when `direct` (falling back to the staged way when
    /// an event is stored already), else into the staging table and `INSERT ... ON CONFLICT DO NOTHING`.
    /// Returns how many rows were inserted.
    private static func store(
        _ rows: ByteBuffer, count: Int, direct: Bool, on connection: PostgresConnection, schema: PostgresSchema,
        logger: Logger
    ) async throws -> Int {
        if direct {
            do {
                try await transaction(connection, logger: logger) {
                    try await $0.copyFrom(table: schema.table, columns: EventColumns.names, logger: logger) { writer in
                        try await writer.write(rows)
                    }
                }
                return count
            } catch let error where PostgresErrorClassifier.sqlState(error) == PostgresErrorClassifier.uniqueViolation {
                // Rolled back; the staged way below counts what is new.
            }
        }
        return try await transaction(connection, logger: logger) { connection in
            try await connection.copyFrom(table: schema.stagingTable, columns: EventColumns.names, logger: logger) {
                try await $0.write(rows)
            }
            let result = try await connection.query(PostgresQuery(unsafeSQL: schema.insertStagedSQL), logger: logger)
            var inserted = 0
            for try await value in result.decode(Int64.self) { inserted = Int(value) }
            return inserted
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
            let (schema, logger, url) = (schema, logger, url)
            let connection = try await withDeadline(writeTimeout) {
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
                return connection
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
    private static func transaction<Result: Sendable>(
        _ connection: PostgresConnection, logger: Logger, _ body: (PostgresConnection) async throws -> Result
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
