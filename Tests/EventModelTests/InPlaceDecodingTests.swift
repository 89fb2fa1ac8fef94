import Testing

@testable import EventModel
@testable import EventModelTesting

/// `EnrichedEventDecoder.decode(paddedBytes:owner:recycling:)`, which reads the caller's padded bytes
/// instead of copying them: it must give exactly what the copying `decode(_:)` gives (the same event or
/// the same error) on every kind of input, and keep the owner of the bytes alive exactly as long as the
/// event needs it.
@Suite struct InPlaceDecodingTests {
    /// Bytes owned by an object, followed by the zero padding the decoder requires and then by bytes that
    /// are not zero, so a read past the padding would change the outcome instead of passing unnoticed.
    final class PaddedBytes {
        let buffer: UnsafeMutableRawBufferPointer
        let count: Int

        init(_ bytes: [UInt8]) {
            count = bytes.count
            let padding = EnrichedEventDecoder.requiredPadding
            buffer = .allocate(byteCount: bytes.count + padding + 64, alignment: 1)
            buffer.copyBytes(from: bytes)
            buffer[bytes.count..<(bytes.count + padding)].initializeMemory(as: UInt8.self, repeating: 0)
            buffer[(bytes.count + padding)...].initializeMemory(as: UInt8.self, repeating: UInt8(ascii: "\""))
        }

        var value: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: buffer[..<count]) }

        deinit { buffer.deallocate() }
    }

    private static let decoder = EnrichedEventDecoder()

    private static func inPlace(
        _ bytes: [UInt8], recycling recycled: inout EnrichedEvent?
    ) -> Result<EnrichedEvent, EventDecodingError> {
        let padded = PaddedBytes(bytes)
        return Result { () throws(EventDecodingError) in
            try decoder.decode(paddedBytes: padded.value, owner: padded, recycling: &recycled)
        }
    }

    private static func copied(_ bytes: [UInt8]) -> Result<EnrichedEvent, EventDecodingError> {
        Result { () throws(EventDecodingError) in try decoder.decode(bytes) }
    }

    /// Both ways agree on `bytes`; recycling `recycled` (whatever layout it has) for the in-place one.
    private static func expectAgreement(
        _ bytes: [UInt8], recycling recycled: inout EnrichedEvent?, _ context: @autoclosure () -> String
    ) {
        let inPlace = Self.inPlace(bytes, recycling: &recycled)
        let copied = Self.copied(bytes)
        switch (inPlace, copied) {
        case (.success(let ours), .success(let theirs)):
            #expect(ours == theirs, "\(context())")
            #expect(ours.userID == theirs.userID && ours.eventData?.bytes == theirs.eventData?.bytes, "\(context())")
        case (.failure(let ours), .failure(let theirs)):
            #expect(ours == theirs, "\(context())")
        default:
            Issue.record("in place \(inPlace), copied \(copied): \(context())")
        }
        recycled = try? inPlace.get()
    }

    @Test func generatedEventsDecodeAsWhenCopiedWhileRecyclingEitherLayout() throws {
        var generator = SyntheticEventGenerator(seed: 5)
        var recycled: EnrichedEvent?
        for index in 0..<3_000 {
            let value = generator.next().value
            if index % 3 == 0 {
                // Hand it an event in the copied layout to recycle, too.
                recycled = try Self.decoder.decode(value)
            }
            Self.expectAgreement(value, recycling: &recycled, "event \(index)")
        }
    }

    @Test func invalidAndEdgeCaseDocumentsFailOrSucceedAsWhenCopied() {
        var recycled: EnrichedEvent?
        // (Tombstones, the samples without a value, never reach the decoder.)
        for sample in SyntheticEventGenerator.invalidSamples() {
            guard let value = sample.value else { continue }
            Self.expectAgreement(value, recycling: &recycled, "invalid sample \(sample.errorClass)")
        }
        let texts = [
            #"{"event_id":"\"\\\/\b\f\n\r\t","event_type":"\u00e9\uD83D\uDE00","timestamp":"2024-01-15T10:30:45.5+01:00"}"#,
            #"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z","unknown":"\ud800"}"#,
            #"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z","processing_info":{"processing_ms":1e1}}"#,
            #"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z"}  x"#,
            #"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45"#,
            #"{"event_id":"e"#, "\u{FEFF}{}", "[]", "-", "1", "tru", "\"", "",
        ]
        for text in texts {
            Self.expectAgreement(Array(text.utf8), recycling: &recycled, text)
        }
    }

    /// Truncations of a valid event at every length: each ends where the padding starts, the case where
    /// the scanner relies on the zero bytes to stop.
    @Test func everyTruncationFailsAsWhenCopied() {
        var generator = SyntheticEventGenerator(seed: 8)
        let value = generator.next().value
        var recycled: EnrichedEvent?
        for length in 0..<value.count {
            Self.expectAgreement(Array(value[..<length]), recycling: &recycled, "first \(length) bytes")
        }
    }

    @Test func theEventKeepsTheBytesOwnerAliveUntilItIsDroppedOrRecycled() throws {
        var generator = SyntheticEventGenerator(seed: 9)
        let first = generator.next().value
        let second = generator.next().value
        weak var firstOwner: PaddedBytes?
        var event: EnrichedEvent?
        do {
            let padded = PaddedBytes(first)
            firstOwner = padded
            var nothing: EnrichedEvent?
            event = try Self.decoder.decode(paddedBytes: padded.value, owner: padded, recycling: &nothing)
        }
        #expect(firstOwner != nil, "the event holds its bytes")
        #expect(event == (try Self.decoder.decode(first)), "and still reads them")

        // Recycling the event's memory for another document lets go of the first one's bytes.
        let storage = ObjectIdentifier(event!.storage)
        let secondOwner = PaddedBytes(second)
        let next = try Self.decoder.decode(paddedBytes: secondOwner.value, owner: secondOwner, recycling: &event)
        #expect(ObjectIdentifier(next.storage) == storage, "the span table's memory was reused")
        #expect(firstOwner == nil, "the first document's bytes were released")
        #expect(next == (try Self.decoder.decode(second)))
    }

    /// Consecutive records share their arena: the recycled event keeps the same owner without swapping it,
    /// reads the new document, and lets the owner go when it is dropped.
    @Test func consecutiveDocumentsOfOneOwnerRecycleTheEventAndKeepTheOwnerHeld() throws {
        var generator = SyntheticEventGenerator(seed: 11)
        let first = generator.next().value
        let second = generator.next().value
        let padding = EnrichedEventDecoder.requiredPadding
        weak var weakOwner: PaddedBytes?
        var event: EnrichedEvent?
        do {
            // Both documents in one owner, each followed by the padding (as in a record arena).
            let owner = PaddedBytes(first + [UInt8](repeating: 0, count: padding) + second)
            weakOwner = owner
            let firstValue = UnsafeRawBufferPointer(rebasing: owner.buffer[..<first.count])
            let secondValue = UnsafeRawBufferPointer(rebasing: owner.buffer[(first.count + padding)..<(first.count + padding + second.count)])
            var nothing: EnrichedEvent?
            event = try Self.decoder.decode(paddedBytes: firstValue, owner: owner, recycling: &nothing)
            let storage = ObjectIdentifier(event!.storage)
            event = try Self.decoder.decode(paddedBytes: secondValue, owner: owner, recycling: &event)
            #expect(ObjectIdentifier(event!.storage) == storage, "the event's memory was reused")
        }
        #expect(weakOwner != nil, "the recycled event still holds the shared owner")
        #expect(event == (try Self.decoder.decode(second)), "and reads the second document")
        event = nil
        #expect(weakOwner == nil, "dropping the event lets the owner go")
    }

    @Test func anEventSomeoneStillHoldsKeepsItsBytes() throws {
        var generator = SyntheticEventGenerator(seed: 10)
        let first = generator.next().value
        let firstOwner = PaddedBytes(first)
        var nothing: EnrichedEvent?
        let kept = try Self.decoder.decode(paddedBytes: firstOwner.value, owner: firstOwner, recycling: &nothing)
        var recycled: EnrichedEvent? = kept
        let next = Self.inPlace(generator.next().value, recycling: &recycled)
        #expect(ObjectIdentifier(try next.get().storage) != ObjectIdentifier(kept.storage))
        #expect(kept == (try Self.decoder.decode(first)))
    }
}
