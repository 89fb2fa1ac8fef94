import Foundation
import Testing

@testable import EventModel
@testable import EventModelTesting

@Suite struct SyntheticEventGeneratorTests {
    @Test func sameSeedGivesSameBytesAndOtherSeedsDiffer() {
        var first = SyntheticEventGenerator(seed: 7)
        var second = SyntheticEventGenerator(seed: 7)
        var other = SyntheticEventGenerator(seed: 8)
        for _ in 0..<100 {
            let event = first.next()
            #expect(event == second.next())
            #expect(event != other.next())
        }
    }

    @Test func eventsAreRealisticJSONKeyedByUserID() throws {
        var generator = SyntheticEventGenerator(seed: 42, userCount: 50)
        var totalBytes = 0
        var users = Set<String>()
        var previousTimestamp: EventTimestamp?
        let count = 2_000
        for _ in 0..<count {
            let event = generator.next()
            totalBytes += event.value.count
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(event.value)) as? [String: Any])
            let userID = try #require(object["user_id"] as? String)
            #expect(Array(userID.utf8) == event.key)
            users.insert(userID)
            let eventID = try #require(object["event_id"] as? String)
            #expect(UUID(uuidString: eventID) != nil)
            let requestID = try #require(object["request_id"] as? String)
            #expect(UUID(uuidString: requestID) != nil)
            let eventType = try #require(object["event_type"] as? String)
            #expect(SyntheticEventGenerator.eventTypes.contains(eventType))
            let timestampText = try #require(object["timestamp"] as? String)
            let timestamp = try #require(EventTimestamp(rfc3339: timestampText))
            if let previousTimestamp {
                #expect(timestamp.secondsSinceEpoch >= previousTimestamp.secondsSinceEpoch)
            }
            previousTimestamp = timestamp
            #expect(object["event_data"] is [String: Any])
            let client = try #require(object["client_info"] as? [String: Any])
            #expect(client["user_agent"] is String)
            let processing = try #require(object["processing_info"] as? [String: Any])
            #expect(processing["processing_ms"] is Int)
            let receivedAt = try #require(processing["received_at"] as? String)
            #expect(EventTimestamp(rfc3339: receivedAt) != nil)
        }
        let averageSize = totalBytes / count
        #expect((550...850).contains(averageSize), "average event size \(averageSize) bytes")
        #expect(users.count <= 50 && users.count > 40)
    }

    @Test func invalidSamplesCoverEveryErrorClass() {
        let classes = Set(SyntheticEventGenerator.invalidSamples().map(\.errorClass))
        #expect(classes == [
            "tombstone", "empty_value", "invalid_json", "invalid_utf8", "too_deep", "not_an_object",
            "missing_field", "wrong_type", "invalid_timestamp",
        ])
    }
}
