import Testing

@testable import EventModel
@testable import EventModelTesting

/// `EnrichedEventDecoder.decode(_:recycling:)`: reuses an event's memory only when nothing else can see it.
@Suite struct DecoderRecyclingTests {
    private static func events(_ count: Int, seed: UInt64 = 7) -> [[UInt8]] {
        var generator = SyntheticEventGenerator(seed: seed)
        return (0..<count).map { _ in generator.next().value }
    }

    private static func decode(
        _ value: [UInt8], recycling recycled: inout EnrichedEvent?
    ) throws -> EnrichedEvent {
        let decoder = EnrichedEventDecoder()
        return try value.withUnsafeBytes { bytes in try decoder.decode(bytes, recycling: &recycled) }
    }

    @Test func aDroppedEventsMemoryIsReusedAndTheNewEventIsDecodedInFull() throws {
        let values = Self.events(2)
        let reference = EnrichedEventDecoder()
        // A payload fits in the memory of one at least as large.
        let (big, small) = values[0].count >= values[1].count ? (values[0], values[1]) : (values[1], values[0])
        var recycled: EnrichedEvent? = try reference.decode(big)
        let bigStorage = ObjectIdentifier(recycled!.storage)

        let event = try Self.decode(small, recycling: &recycled)
        #expect(recycled == nil, "the recycled event is consumed")
        #expect(ObjectIdentifier(event.storage) == bigStorage, "its memory was reused")
        let expected = try reference.decode(small)
        #expect(event.eventID == expected.eventID)
        #expect(event.userID == expected.userID)
        #expect(event.pageURL == expected.pageURL)
        #expect(event.eventData == expected.eventData)
        #expect(event.clientInfo == expected.clientInfo)
        #expect(event.processingInfo == expected.processingInfo)
        #expect(event.timestamp == expected.timestamp)
    }

    @Test func anEventSomeoneStillHoldsIsNeverOverwritten() throws {
        let values = Self.events(2)
        let reference = EnrichedEventDecoder()
        let kept = try reference.decode(values[0])
        let keptID = kept.eventID
        var recycled: EnrichedEvent? = kept  // a second reference to the same memory

        let event = try Self.decode(values[1], recycling: &recycled)
        #expect(ObjectIdentifier(event.storage) != ObjectIdentifier(kept.storage))
        #expect(kept.eventID == keptID, "the kept event still reads its own values")
        #expect(event.eventID == (try reference.decode(values[1])).eventID)
    }

    @Test func aLargerEventGetsNewMemory() throws {
        let reference = EnrichedEventDecoder()
        let values = Self.events(50).sorted { $0.count < $1.count }
        var recycled: EnrichedEvent? = try reference.decode(values[0])
        let smallest = ObjectIdentifier(recycled!.storage)
        let event = try Self.decode(values[49], recycling: &recycled)
        #expect(ObjectIdentifier(event.storage) != smallest)
        #expect(event.eventID == (try reference.decode(values[49])).eventID)
    }

    @Test func aLoopOfDecodeAndDropGivesTheSameEventsAsFreshDecoding() throws {
        let reference = EnrichedEventDecoder()
        var recycled: EnrichedEvent?
        for value in Self.events(2_000, seed: 11) {
            let event = try Self.decode(value, recycling: &recycled)
            let fresh = try reference.decode(value)
            #expect(event.eventID == fresh.eventID && event.eventType == fresh.eventType && event.timestamp == fresh.timestamp)
            #expect(event.requestID == fresh.requestID && event.sessionID == fresh.sessionID && event.pageURL == fresh.pageURL)
            #expect(event.eventData == fresh.eventData && event.serviceInfo == fresh.serviceInfo)
            recycled = event
        }
    }
}
