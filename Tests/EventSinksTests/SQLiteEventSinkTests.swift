import EventSinks
import Foundation
import ProcessingCore
import Testing
import TestSupport

/// `SQLiteEventSink` on a real SQLite file in a temporary directory, checked with the `sqlite3` shell.
@Suite("SQLiteEventSink on a real SQLite file")
struct SQLiteEventSinkTests {
    @Test("the schema is created with a migrations record, the database is in WAL mode, and every field is stored")
    func schemaAndFields() async throws {
        let directory = try SinkTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("nested/events.sqlite").path
        let sink = SQLiteEventSink(path: path, table: "events", logger: SinkTests.logger)
        let events = SinkTests.events(25, partitions: 3)
        #expect(try await sink.write(events) == SinkWriteResult(stored: 25, duplicates: 0))
        await sink.close()
        #expect(try await SQLiteShell.run(path, "PRAGMA journal_mode") == "wal")
        #expect(try await SQLiteShell.run(path, "SELECT identifier FROM grdb_migrations") == "events v1: events table")
        let columns = try await SQLiteShell.run(path, "SELECT group_concat(name, ',') FROM pragma_table_info('events')")
        #expect(columns == "event_id,event_type,timestamp,request_id,user_id,session_id,page_url,event_data,client_info,service_info,processing_info,kafka_topic,kafka_partition,kafka_offset,stored_at")
        let indexes = try await SQLiteShell.run(path, "SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_index_list('events') ORDER BY name)")
        #expect(indexes.contains("events_event_type_idx") && indexes.contains("events_user_id_idx") && indexes.contains("events_timestamp_idx"))
        let sample = events[4]
        let row = try await SQLiteShell.run(
            path,
            """
            SELECT event_type, user_id, "timestamp", client_info ->> 'user_agent', processing_info ->> 'processing_ms',
                   json(event_data) = json('\(sample.event.eventData!.text.replacingOccurrences(of: "'", with: "''"))'),
                   kafka_partition, kafka_offset
            FROM events WHERE event_id = '\(sample.event.eventID)'
            """)
        let utc = EventTimestampUTC.text(sample.event)
        let actual: [String] = row.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        var expected: [String] = [sample.event.eventType, sample.event.userID ?? "", utc]
        expected.append(sample.event.clientInfo?.userAgent ?? "")
        expected.append(sample.event.processingInfo?.processingMs.map(String.init) ?? "")
        expected += ["1", String(sample.topicPartition.partition), String(sample.offset)]
        #expect(actual == expected)
    }

    @Test("idempotent: repeats are counted as duplicates, in later batches and within one")
    func idempotentAndCounted() async throws {
        let directory = try SinkTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("events.sqlite").path
        let sink = SQLiteEventSink(path: path, table: "events", logger: SinkTests.logger)
        let events = SinkTests.events(20)
        #expect(try await sink.write(Array(events[0..<15])) == SinkWriteResult(stored: 15, duplicates: 0))
        #expect(try await sink.write(Array(events[5..<20])) == SinkWriteResult(stored: 5, duplicates: 10))
        #expect(try await sink.write([events[0], events[0]]) == SinkWriteResult(stored: 0, duplicates: 2))
        await sink.close()
        // A new sink on the same file (a restart) sees the same rows.
        let restarted = SQLiteEventSink(path: path, table: "events", logger: SinkTests.logger)
        #expect(try await restarted.write(Array(events[18...])) == SinkWriteResult(stored: 0, duplicates: 2))
        await restarted.close()
        #expect(try await SQLiteShell.run(path, "SELECT count(*) FROM events") == "20")
    }

    @Test("a row breaking a constraint rejects the batch at that event and stores none of it")
    func rejectsConstraintViolation() async throws {
        let directory = try SinkTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("events.sqlite").path
        // An operator's own rule on the table (the sink keeps an existing table as it is).
        _ = try await SQLiteShell.run(
            path,
            """
            CREATE TABLE events (event_id TEXT PRIMARY KEY NOT NULL, event_type TEXT NOT NULL, "timestamp" TEXT NOT NULL,
              request_id TEXT, user_id TEXT CHECK (user_id NOT LIKE 'banned%'), session_id TEXT, page_url TEXT,
              event_data TEXT, client_info TEXT, service_info TEXT, processing_info TEXT, kafka_topic TEXT NOT NULL,
              kafka_partition INTEGER NOT NULL, kafka_offset INTEGER NOT NULL, stored_at TEXT)
            """)
        let sink = SQLiteEventSink(path: path, table: "events", logger: SinkTests.logger)
        var batch = SinkTests.events(4)
        batch.insert(SinkTests.event(eventID: "e-banned", userID: "banned-user", offset: 50), at: 2)
        do {
            _ = try await sink.write(batch)
            Issue.record("the batch was accepted")
        } catch {
            let rejection = try #require(error.rejection, "\(error)")
            #expect(rejection.index == 2)
            #expect(rejection.message.contains("CHECK constraint failed"), "\(rejection.message)")
        }
        await sink.close()
        #expect(try await SQLiteShell.run(path, "SELECT count(*) FROM events") == "0")
    }

    @Test("a file that cannot be opened is an unavailable store, not a rejection")
    func unavailableWhenItCannotOpen() async throws {
        let directory = try SinkTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let blocker = directory.appendingPathComponent("not-a-directory")
        try Data("x".utf8).write(to: blocker)
        let sink = SQLiteEventSink(path: blocker.appendingPathComponent("events.sqlite").path, table: "events", logger: SinkTests.logger)
        do {
            _ = try await sink.write(SinkTests.events(1))
            Issue.record("the write succeeded")
        } catch {
            #expect(error.isUnavailable, "\(error)")
        }
    }
}

import EventModel

/// The timestamp as the SQL stores keep it: RFC 3339 in UTC.
enum EventTimestampUTC {
    static func text(_ event: EnrichedEvent) -> String {
        EventTimestamp(secondsSinceEpoch: event.timestamp.secondsSinceEpoch, nanoseconds: event.timestamp.nanoseconds).description
    }
}
