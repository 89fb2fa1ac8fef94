import EventSinks
import Foundation
import ProcessingCore
import Testing
import TestSupport

/// `PostgresEventSink` against a real PostgreSQL server that each test starts (and removes) itself.
@Suite("PostgresEventSink against a real PostgreSQL")
struct PostgresEventSinkTests {
    static func sink(_ server: PostgresServer, table: String = "events") throws -> PostgresEventSink {
        PostgresEventSink(url: try DatabaseURL(parsing: server.url()), table: table, logger: SinkTests.logger)
    }

    @Test("the schema is created when missing, with every column typed, three indexes and a migrations table; a second start migrates nothing")
    func schemaCreatedAndVersioned() async throws {
        let server = try await PostgresServer.start()
        let sink = try Self.sink(server, table: "user_events")
        try await sink.open()
        await sink.close()
        let columns = try await server.psql(
            "SELECT column_name || ':' || data_type FROM information_schema.columns WHERE table_name = 'user_events' ORDER BY ordinal_position")
        #expect(columns.split(separator: "\n") == [
            "event_id:text", "event_type:text", "timestamp:timestamp with time zone", "request_id:text", "user_id:text",
            "session_id:text", "page_url:text", "event_data:jsonb", "client_info:jsonb", "service_info:jsonb",
            "processing_info:jsonb", "kafka_topic:text", "kafka_partition:integer", "kafka_offset:bigint",
            "stored_at:timestamp with time zone",
        ])
        let indexes = try await server.psql("SELECT indexname FROM pg_indexes WHERE tablename = 'user_events' ORDER BY indexname")
        #expect(indexes.split(separator: "\n") == [
            "user_events_event_type_idx", "user_events_pkey", "user_events_timestamp_idx", "user_events_user_id_idx",
        ])
        let second = try Self.sink(server, table: "user_events")
        try await second.open()
        await second.close()
        #expect(try await server.psql("SELECT version FROM user_events_schema_migrations") == "1")
    }

    @Test("every field is stored: text, the instant as timestamptz, nested objects as jsonb, the Kafka origin")
    func storesEveryField() async throws {
        let server = try await PostgresServer.start()
        let sink = try Self.sink(server)
        let events = SinkTests.events(40, partitions: 2)
        let result = try await sink.write(events)
        await sink.close()
        #expect(result == SinkWriteResult(stored: 40, duplicates: 0))
        #expect(try await server.psql("SELECT count(*) FROM events") == "40")
        let sample = events[7]
        let event = sample.event
        let row = try await server.psql(
            """
            SELECT event_type, user_id, session_id, page_url, request_id,
                   extract(epoch FROM "timestamp")::numeric(20,6),
                   client_info->>'user_agent', service_info->>'service_name', (processing_info->>'processing_ms')::int,
                   event_data = '\(event.eventData!.text.replacingOccurrences(of: "'", with: "''"))'::jsonb,
                   kafka_topic, kafka_partition, kafka_offset, stored_at <= now()
            FROM events WHERE event_id = '\(event.eventID)'
            """)
        let seconds = Double(event.timestamp.secondsSinceEpoch) + Double(event.timestamp.nanoseconds / 1000) / 1e6
        let actual: [String] = row.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        var expected: [String] = [event.eventType, event.userID ?? "", event.sessionID ?? "", event.pageURL ?? ""]
        expected.append(event.requestID ?? "")
        expected.append(String(format: "%.6f", seconds))
        expected.append(event.clientInfo?.userAgent ?? "")
        expected.append(event.serviceInfo?.serviceName ?? "")
        expected.append(event.processingInfo?.processingMs.map(String.init) ?? "")
        expected += ["t", sample.topicPartition.topic, String(sample.topicPartition.partition), String(sample.offset), "t"]
        #expect(actual == expected)
    }

    @Test("idempotent: a batch written again stores nothing and counts duplicates; mixed and in-batch repeats too")
    func idempotentAndCounted() async throws {
        let server = try await PostgresServer.start()
        let sink = try Self.sink(server)
        let events = SinkTests.events(30)
        #expect(try await sink.write(Array(events[0..<20])) == SinkWriteResult(stored: 20, duplicates: 0))
        #expect(try await sink.write(Array(events[0..<20])) == SinkWriteResult(stored: 0, duplicates: 20))
        #expect(try await sink.write(Array(events[10..<30])) == SinkWriteResult(stored: 10, duplicates: 10))
        let again = SinkTests.events(2, seed: 99)
        #expect(try await sink.write([again[0], again[1], again[0]]) == SinkWriteResult(stored: 2, duplicates: 1))
        // Back to direct writes after a batch without duplicates.
        #expect(try await sink.write(SinkTests.events(5, seed: 7)) == SinkWriteResult(stored: 5, duplicates: 0))
        await sink.close()
        #expect(try await server.psql("SELECT count(*), count(DISTINCT event_id) FROM events") == "37|37")
    }

    @Test("a value PostgreSQL cannot store (a NUL byte in text) rejects the batch, names the event, and stores none of it")
    func rejectsWhatPostgresCannotStore() async throws {
        let server = try await PostgresServer.start()
        let sink = try Self.sink(server)
        var batch = SinkTests.events(5)
        batch.insert(SinkTests.event(eventID: "nul-user", userID: "a\\u0000b", offset: 99), at: 3)
        for attempt in ["direct", "staged"] {
            do {
                _ = try await sink.write(batch)
                Issue.record("the \(attempt) write was accepted")
            } catch {
                let rejection = try #require(error.rejection, "\(error)")
                #expect(rejection.index == 3, "\(attempt)")
                #expect(rejection.message.contains("22021"), "\(rejection.message)")
                #expect(rejection.message.contains("0x00"), "\(rejection.message)")
            }
            #expect(try await server.psql("SELECT count(*) FROM events") == (attempt == "direct" ? "0" : "1"))
            // Make the next batch hold a duplicate, so it takes the staged path.
            _ = try await sink.write([batch[0]])
            batch.append(batch[0])
        }
        await sink.close()
    }

    @Test("JSON PostgreSQL cannot store (\\u0000 in event_data) is rejected too")
    func rejectsUnstorableJSON() async throws {
        let server = try await PostgresServer.start()
        let sink = try Self.sink(server)
        let document = Array(#"{"event_id":"e1","event_type":"t","timestamp":"2024-01-15T10:30:45Z","event_data":{"k":"\u0000"}}"#.utf8)
        let event = SampleEvents.sample(value: document, offset: 0).sinkEvent
        await #expect(throws: EventSinkError.self) { _ = try await sink.write([event]) }
        do {
            _ = try await sink.write([event])
        } catch {
            #expect(error.rejection?.message.contains("22P05") == true, "\(error)")
        }
        await sink.close()
    }

    @Test("server stopped: writes fail as unavailable; started again: the next write reconnects and stores")
    func unavailableWhileDown() async throws {
        let server = try await PostgresServer.start()
        let sink = try Self.sink(server)
        _ = try await sink.write(SinkTests.events(3, seed: 1))
        await server.stop()
        do {
            _ = try await sink.write(SinkTests.events(3, seed: 2))
            Issue.record("a write to a stopped server succeeded")
        } catch {
            #expect(error.isUnavailable, "\(error)")
        }
        try await server.start()
        #expect(try await sink.write(SinkTests.events(3, seed: 2)).stored == 3)
        await sink.close()
        #expect(try await server.psql("SELECT count(*) FROM events") == "6")
    }

    @Test("server stopped while writes are in flight: every write returns (stored or unavailable), none hangs, and after a restart all is stored")
    func stoppedDuringWrites() async throws {
        let server = try await PostgresServer.start()
        let url = try DatabaseURL(parsing: server.url())
        // A deadline short enough for the test, long enough for a loaded machine's connect and migration.
        let sink = PostgresEventSink(url: url, table: "events", logger: SinkTests.logger, writeTimeout: .seconds(10))
        try await sink.open()
        let batches = (0..<40).map { SinkTests.events(500, seed: UInt64(100 + $0)) }
        let writing = Task {
            var failures = 0
            for batch in batches {
                // A batch that failed is written again until it is stored, as the sink stage does.
                while true {
                    do {
                        _ = try await sink.write(batch)
                        break
                    } catch {
                        failures += 1
                        try await Task.sleep(for: .milliseconds(50))
                    }
                }
            }
            return failures
        }
        try await eventually { try await server.psql("SELECT count(*) FROM events") != "0" }
        await server.stop()
        try await Task.sleep(for: .seconds(2))  // the outage
        try await server.start()
        let failures = try await writing.value
        await sink.close()
        #expect(failures > 0, "the outage was seen")
        #expect(try await server.psql("SELECT count(*) FROM events") == "20000")
    }

    @Test("nobody listening: open fails as unavailable, and the error shows the URL without its password")
    func unreachableHidesPassword() async throws {
        let server = try await PostgresServer.start()
        let url = try DatabaseURL(parsing: server.url(password: "s3cretpw"))
        await server.stop()
        let sink = PostgresEventSink(url: url, table: "events", logger: SinkTests.logger)
        do {
            try await sink.open()
            Issue.record("open succeeded with the server stopped")
        } catch {
            #expect(error.isUnavailable)
            #expect(!"\(error)".contains("s3cretpw"))
            #expect("\(error)".contains("postgres://postgres:***@127.0.0.1"))
        }
    }
}
