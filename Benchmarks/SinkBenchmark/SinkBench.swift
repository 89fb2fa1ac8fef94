import EventSinks
import Foundation
import Logging
import NIOCore
import ProcessingCore
import TestSupport

/// One round per store: the limit, the sink, the sink again on the same (now stored) events.
struct SinkBench {
    struct Round {
        var limit: Double
        var sink: Double
        var duplicates: Double
        /// The service, Kafka → store (`--end-to-end`).
        var service: Double?
    }

    let events: [SinkEvent]
    let batchSize: Int
    let logger: Logger
    /// Also run the service end to end (issue 14's (b)).
    var endToEnd = false

    func limitName(_ kind: SinkBenchmarkCommand.Kind) -> String {
        switch kind {
        case .postgres: "psql \\copy"
        case .sqlite: "sqlite3 .import"
        case .files: "plain durable loop"
        }
    }

    func sinkName(_ kind: SinkBenchmarkCommand.Kind) -> String {
        switch kind {
        case .postgres: "PostgresEventSink"
        case .sqlite: "SQLiteEventSink"
        case .files: "FileEventSink"
        }
    }

    private var batches: [[SinkEvent]] {
        stride(from: 0, to: events.count, by: batchSize).map { Array(events[$0..<min($0 + batchSize, events.count)]) }
    }

    /// Seconds `body` takes.
    private func time(_ body: () async throws -> Void) async rethrows -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        try await body()
        let elapsed = clock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    private func writeAll(_ sink: any EventSink, expectStored: Int) async throws {
        var stored = 0
        for batch in batches { stored += try await sink.write(batch).stored }
        guard stored == expectStored else { throw BenchmarkFailure("stored \(stored) events, expected \(expectStored)") }
    }

    // MARK: PostgreSQL

    func postgresRound() async throws -> Round {
        let server = try await PostgresServer.start()
        let url = try DatabaseURL(parsing: server.url())
        let directory = server.directory
        // The same rows as the sink sends, as a COPY text file.
        var rows = PostgresCopyRows(capacity: events.count * 1100)
        let encoding = await time { for event in events { rows.append(EventColumns(event)) } }
        print(String(format: "  encoding the rows (what the sink does per event, on one core): %.0f rows/s", Double(events.count) / encoding))
        let file = directory.appendingPathComponent("rows.copy")
        try Data(rows.buffer.readableBytesView).write(to: file)
        // The table, created by the sink's own schema code, then \copy into it.
        let schemaSink = PostgresEventSink(url: url, table: "events", logger: logger)
        try await schemaSink.open()
        await schemaSink.close()
        let columns = EventColumns.names.map { "\"\($0)\"" }
        let limitSeconds = try await time { _ = try await server.copy(file: file, into: "events", columns: columns) }
        let copied = try await server.psql("SELECT count(*) FROM events")
        guard copied == String(events.count) else { throw BenchmarkFailure("\\copy stored \(copied) rows") }
        // Each its own statement: psql -c runs a multi-statement string as one transaction, and VACUUM refuses that.
        for statement in ["TRUNCATE events", "VACUUM ANALYZE events", "CHECKPOINT"] { _ = try await server.psql(statement) }
        let sink = PostgresEventSink(url: url, table: "events", logger: logger)
        try await sink.open()
        let sinkSeconds = try await time { try await writeAll(sink, expectStored: events.count) }
        let duplicateSeconds = try await time { try await writeAll(sink, expectStored: 0) }
        await sink.close()
        let stored = try await server.psql("SELECT count(*) FROM events")
        guard stored == String(events.count) else { throw BenchmarkFailure("the table holds \(stored) rows") }
        var service: Double?
        if endToEnd {
            for statement in ["TRUNCATE events", "VACUUM ANALYZE events", "CHECKPOINT"] { _ = try await server.psql(statement) }
            service = try await EndToEnd(kind: .postgres, count: events.count, batchSize: batchSize).run(
                environment: ["SINK": "postgres", "DATABASE_URL": server.url()],
                storedCount: { Int(try await server.psql("SELECT count(*) FROM events")) ?? -1 })
        }
        await server.stop()
        return Round(
            limit: Double(events.count) / limitSeconds, sink: Double(events.count) / sinkSeconds,
            duplicates: Double(events.count) / duplicateSeconds, service: service)
    }

    // MARK: SQLite

    func sqliteRound() async throws -> Round {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let limitPath = directory.appendingPathComponent("limit.sqlite").path
        // The table, by the sink's schema code, in the same file the shell then imports into.
        let schemaSink = SQLiteEventSink(path: limitPath, table: "events", logger: logger)
        try await schemaSink.open()
        await schemaSink.close()
        let csv = directory.appendingPathComponent("rows.csv")
        try csvRows().write(to: csv)
        let limitSeconds = try await time {
            _ = try ProcessOutput.succeeding("/usr/bin/sqlite3", [limitPath, "PRAGMA synchronous=FULL", ".import --csv --skip 1 \(csv.path) events"])
        }
        let sinkPath = directory.appendingPathComponent("sink.sqlite").path
        let sink = SQLiteEventSink(path: sinkPath, table: "events", logger: logger)
        try await sink.open()
        let sinkSeconds = try await time { try await writeAll(sink, expectStored: events.count) }
        let duplicateSeconds = try await time { try await writeAll(sink, expectStored: 0) }
        await sink.close()
        var service: Double?
        if endToEnd {
            let servicePath = directory.appendingPathComponent("service.sqlite").path
            let schemaSink = SQLiteEventSink(path: servicePath, table: "events", logger: logger)
            try await schemaSink.open()
            await schemaSink.close()
            service = try await EndToEnd(kind: .sqlite, count: events.count, batchSize: batchSize).run(
                environment: ["SINK": "sqlite", "SQLITE_PATH": servicePath],
                storedCount: { Self.count(try ProcessOutput.run("/usr/bin/sqlite3", [servicePath, "SELECT count(*) FROM events"])) })
        }
        return Round(
            limit: Double(events.count) / limitSeconds, sink: Double(events.count) / sinkSeconds,
            duplicates: Double(events.count) / duplicateSeconds, service: service)
    }

    /// The rows as CSV, with a header line (skipped) and `stored_at` (which `.import` does not default).
    private func csvRows() -> Data {
        var text = (EventColumns.names + ["stored_at"]).joined(separator: ",") + "\n"
        func field(_ value: String?) -> String {
            guard let value else { return "" }
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        for event in events {
            let c = EventColumns(event)
            let fields = [
                field(c.eventID), field(c.eventType), field(c.timestamp), field(c.requestID), field(c.userID),
                field(c.sessionID), field(c.pageURL), field(c.eventData.map { String(decoding: $0, as: UTF8.self) }),
                field(c.clientInfo), field(c.serviceInfo), field(c.processingInfo), field(c.topic), String(c.partition),
                String(c.offset), "2026-12-01T00:00:00.000Z",
            ]
            text += fields.joined(separator: ",") + "\n"
        }
        return Data(text.utf8)
    }

    // MARK: Files

    func filesRound() async throws -> Round {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let limitRoot = directory.appendingPathComponent("limit")
        let limitSeconds = try await time { try plainFileLoop(root: limitRoot) }
        let sink = FileEventSink(directory: directory.appendingPathComponent("sink").path, logger: logger)
        try await sink.open()
        let sinkSeconds = try await time { try await writeAll(sink, expectStored: events.count) }
        let duplicateSeconds = try await time { try await writeAll(sink, expectStored: 0) }
        var service: Double?
        if endToEnd {
            let serviceRoot = directory.appendingPathComponent("service")
            service = try await EndToEnd(kind: .files, count: events.count, batchSize: batchSize).run(
                environment: ["SINK": "files", "FILES_DIR": serviceRoot.path],
                storedCount: { Self.count(try ProcessOutput.run("/bin/sh", ["-c", "find '\(serviceRoot.path)' -name '*.json' -not -path '*/.incoming/*' | wc -l"])) })
        }
        return Round(
            limit: Double(events.count) / limitSeconds, sink: Double(events.count) / sinkSeconds,
            duplicates: Double(events.count) / duplicateSeconds, service: service)
    }

    /// The obvious durable loop: per event, write a temporary file, fsync it, rename it into its day
    /// directory, fsync that directory.
    private func plainFileLoop(root: URL) throws {
        var made = Set<String>()
        for event in events {
            let utc = EventTimestampText.utc(event)
            let day = root.appendingPathComponent("\(utc.prefix(4))/\(utc.dropFirst(5).prefix(2))/\(utc.dropFirst(8).prefix(2))").path
            if made.insert(day).inserted { try FileManager.default.createDirectory(atPath: day, withIntermediateDirectories: true) }
            let temporary = "\(day)/.\(event.event.eventID).tmp"
            let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard descriptor >= 0 else { throw BenchmarkFailure("open \(temporary): \(errno)") }
            let value = event.record.value ?? []
            guard value.withUnsafeBytes({ Glibc.write(descriptor, $0.baseAddress, $0.count) }) == value.count,
                fsync(descriptor) == 0, close(descriptor) == 0,
                rename(temporary, "\(day)/\(event.event.eventID).json") == 0
            else { throw BenchmarkFailure("writing \(temporary): \(errno)") }
            let directoryDescriptor = open(day, O_RDONLY | O_DIRECTORY)
            guard directoryDescriptor >= 0, fsync(directoryDescriptor) == 0 else { throw BenchmarkFailure("fsync \(day)") }
            close(directoryDescriptor)
        }
    }

    // MARK: Helpers

    /// The number a counting command printed, -1 while it cannot tell (the store busy, say): polled again.
    private static func count(_ result: ProcessOutput) -> Int {
        Int(result.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    private func temporaryDirectory() throws -> URL {
        let url = URL(fileURLWithPath: "/tmp").appendingPathComponent("sink-bench-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

}

import EventModel

enum EventTimestampText {
    static func utc(_ event: SinkEvent) -> String {
        EventTimestamp(secondsSinceEpoch: event.event.timestamp.secondsSinceEpoch, nanoseconds: event.event.timestamp.nanoseconds).description
    }
}

struct BenchmarkFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
