import Foundation
import Logging
import ProcessingCore
import TestSupport

extension SampleEvents.Sample {
    var sinkEvent: SinkEvent { SinkEvent(event: event, record: record) }
}

enum SinkTests {
    static let logger = Logger(label: "sink-tests")

    /// Synthetic events as the sink stage hands them over.
    static func events(_ count: Int, partitions: Int = 1, seed: UInt64 = 1) -> [SinkEvent] {
        SampleEvents.make(count: count, partitions: partitions, seed: seed).map(\.sinkEvent)
    }

    /// An event from a hand-written document.
    static func event(eventID: String, userID: String? = nil, timestamp: String = "2024-01-15T10:30:45.123456Z", offset: Int64 = 0) -> SinkEvent {
        SampleEvents.sample(
            value: SampleEvents.document(eventID: eventID, userID: userID, timestamp: timestamp), offset: offset
        ).sinkEvent
    }

    /// A new empty directory under /tmp, removed by the caller (`defer`).
    static func temporaryDirectory() throws -> URL {
        let url = URL(fileURLWithPath: "/tmp").appendingPathComponent("sink-test-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

extension EventSinkError {
    var isUnavailable: Bool {
        if case .unavailable = self { true } else { false }
    }

    var rejection: (message: String, index: Int?)? {
        if case .rejected(let message, let index) = self { (message, index) } else { nil }
    }
}

/// Waits until `condition` holds (checked every 20 ms); a hang bound of `timeout`.
func eventually(timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw SinkTestTimeout() }
        try await Task.sleep(for: .milliseconds(20))
    }
}

struct SinkTestTimeout: Error {}
