import EventSinks
import Foundation
import ProcessingCore
import Testing

/// `FileEventSink` on a real directory.
@Suite("FileEventSink on a real directory")
struct FileEventSinkTests {
    @Test("FILES_DIR/YYYY/MM/DD/<event_id>.json by the UTC date, holding the value exactly as received")
    func layoutAndBytes() async throws {
        let directory = try SinkTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let sink = FileEventSink(directory: directory.path, logger: SinkTests.logger)
        try await sink.open()
        // 23:30 at UTC-2 is the next day in UTC.
        let late = SinkTests.event(eventID: "late-evening", timestamp: "2024-03-05T23:30:00-02:00")
        let events = SinkTests.events(30) + [late]
        #expect(try await sink.write(events) == SinkWriteResult(stored: 31, duplicates: 0))
        let lateFile = directory.appendingPathComponent("2024/03/06/late-evening.json")
        #expect(try Data(contentsOf: lateFile) == Data(late.record.value!))
        for event in events.prefix(30) {
            let utc = EventTimestampUTC.text(event.event)
            let day = "\(utc.prefix(4))/\(utc.dropFirst(5).prefix(2))/\(utc.dropFirst(8).prefix(2))"
            let file = directory.appendingPathComponent("\(day)/\(event.event.eventID).json")
            #expect(try Data(contentsOf: file) == Data(event.record.value!), "\(file.path)")
        }
        // Nothing left under a temporary name.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent(".incoming").path).isEmpty)
    }

    @Test("an existing file is a duplicate: counted, and the stored file is left as it was")
    func duplicates() async throws {
        let directory = try SinkTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let sink = FileEventSink(directory: directory.path, logger: SinkTests.logger)
        try await sink.open()
        let first = SinkTests.event(eventID: "same-id", userID: "first")
        let second = SinkTests.event(eventID: "same-id", userID: "second", offset: 1)
        #expect(try await sink.write([first]) == SinkWriteResult(stored: 1, duplicates: 0))
        #expect(try await sink.write([second, second]) == SinkWriteResult(stored: 0, duplicates: 2))
        let stored = try Data(contentsOf: directory.appendingPathComponent("2024/01/15/same-id.json"))
        #expect(stored == Data(first.record.value!))
    }

    @Test("an event_id that is not a safe file name is rejected at its index, before anything is written")
    func unsafeNameRejected() async throws {
        let directory = try SinkTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let sink = FileEventSink(directory: directory.path, logger: SinkTests.logger)
        try await sink.open()
        for (index, bad) in ["../../escape", ".hidden", "a/b", "spa ce"].enumerated() {
            let batch = [SinkTests.event(eventID: "fine-\(index)"), SinkTests.event(eventID: bad, offset: 1)]
            do {
                _ = try await sink.write(batch)
                Issue.record("\(bad) was accepted")
            } catch {
                #expect(error.rejection?.index == 1, "\(bad): \(error)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("2024").path))
    }

    @Test("temporary files a crash left are removed at start")
    func leftoversRemoved() async throws {
        let directory = try SinkTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let incoming = directory.appendingPathComponent(".incoming")
        try FileManager.default.createDirectory(at: incoming, withIntermediateDirectories: true)
        try Data("partial".utf8).write(to: incoming.appendingPathComponent("e1.0.5.123.tmp"))
        let sink = FileEventSink(directory: directory.path, logger: SinkTests.logger)
        try await sink.open()
        #expect(try FileManager.default.contentsOfDirectory(atPath: incoming.path).isEmpty)
    }

    @Test("a directory that cannot be created is an unavailable store")
    func unavailable() async throws {
        let directory = try SinkTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let blocker = directory.appendingPathComponent("file")
        try Data("x".utf8).write(to: blocker)
        let sink = FileEventSink(directory: blocker.appendingPathComponent("events").path, logger: SinkTests.logger)
        do {
            try await sink.open()
            Issue.record("open succeeded")
        } catch {
            #expect(error.isUnavailable, "\(error)")
        }
        do {
            _ = try await sink.write(SinkTests.events(1))
            Issue.record("write succeeded")
        } catch {
            #expect(error.isUnavailable, "\(error)")
        }
    }
}
