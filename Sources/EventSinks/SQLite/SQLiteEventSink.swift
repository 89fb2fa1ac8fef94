import Foundation
import GRDB
import Logging
import ProcessingCore

/// Stores events as rows of a SQLite database file (`SQLITE_PATH`), through GRDB on the system's SQLite.
///
/// Durable on return: one transaction per batch, in WAL mode with `synchronous=FULL`, so the commit has
/// reached the disk (the WAL is synced at every commit; with the default `NORMAL` a power loss could undo
/// the last commits). Idempotent: `ON CONFLICT (event_id) DO NOTHING`; SQLite's change count per row says
/// which were duplicates.
///
/// GRDB rather than sqlite-nio: both wrote these rows at the same rate when measured (README "Storing
/// events"); GRDB tells which row failed and whether each was new, links the system SQLite instead of
/// compiling its own copy, and has a migrator. GRDB runs each write on its own serial dispatch queue, off
/// Swift's cooperative pool.
///
/// Rejected: a row breaking a constraint (e.g. a CHECK added to the table), too big, or of a mismatched
/// type; the error names the row, so no splitting is needed. Unavailable: anything else (disk full, I/O
/// error, the file locked by another writer beyond the busy timeout, cannot open).
public actor SQLiteEventSink: EventSink {
    public nonisolated let name = "sqlite"
    private let path: String
    private let schema: SQLiteSchema
    private let logger: Logger
    private var database: DatabaseQueue?

    public init(path: String, table: String, logger: Logger) {
        self.path = path
        self.schema = SQLiteSchema(table: table)
        self.logger = logger
    }

    public func open() async throws(EventSinkError) {
        _ = try await opened()
    }

    public func write(_ batch: [SinkEvent]) async throws(EventSinkError) -> SinkWriteResult {
        let database = try await opened()
        let sql = schema.insertSQL
        do {
            let inserted = try await database.write { db -> Int in
                let statement = try db.cachedStatement(sql: sql)
                var inserted = 0
                for (index, event) in batch.enumerated() {
                    do {
                        try statement.execute(arguments: Self.arguments(EventColumns(event)))
                    } catch let error as DatabaseError {
                        throw RowError(index: index, error: error)
                    }
                    inserted += db.changesCount
                }
                return inserted
            }
            return SinkWriteResult(stored: inserted, duplicates: batch.count - inserted)
        } catch let error as RowError where Self.isRejection(error.error) {
            throw .rejected("SQLite \(error.error.resultCode): \(error.error.message ?? "no message")", eventIndex: error.index)
        } catch let error as RowError {
            throw .unavailable("\(path): SQLite \(error.error.resultCode): \(error.error.message ?? "no message")")
        } catch {
            throw .unavailable("\(path): \(error)")
        }
    }

    public func close() async {
        try? database?.close()
        database = nil
    }

    private func opened() async throws(EventSinkError) -> DatabaseQueue {
        if let database { return database }
        do {
            var configuration = Configuration()
            configuration.journalMode = .wal
            // Another process writing (e.g. someone's `sqlite3` session): wait for it rather than fail at once.
            configuration.busyMode = .timeout(5)
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let database = try DatabaseQueue(path: path, configuration: configuration)
            // On GRDB's writer queue, not the cooperative pool.
            let migrator = schema.migrator
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                migrator.asyncMigrate(database) { result in continuation.resume(with: result.map { _ in () }) }
            }
            self.database = database
            logger.info("Connected to the event store", metadata: ["sink": "\(name)", "path": "\(path)", "table": "\(schema.table)"])
            return database
        } catch {
            throw .unavailable("\(path): \(error)")
        }
    }

    /// The statement's arguments, in `EventColumns.names` order.
    private static func arguments(_ columns: EventColumns) -> StatementArguments {
        StatementArguments([
            columns.eventID, columns.eventType, columns.timestamp, columns.requestID, columns.userID,
            columns.sessionID, columns.pageURL, columns.eventData.map { String(decoding: $0, as: UTF8.self) },
            columns.clientInfo, columns.serviceInfo, columns.processingInfo, columns.topic,
            Int64(columns.partition), columns.offset,
        ] as [(any DatabaseValueConvertible)?])
    }

    /// Errors about the row itself, not the database (SQLite result codes).
    private static func isRejection(_ error: DatabaseError) -> Bool {
        switch error.resultCode {
        case .SQLITE_CONSTRAINT, .SQLITE_TOOBIG, .SQLITE_MISMATCH, .SQLITE_RANGE: true
        default: false
        }
    }

    /// A statement error and the position in the batch of the row it was about.
    private struct RowError: Error {
        var index: Int
        var error: DatabaseError
    }
}
