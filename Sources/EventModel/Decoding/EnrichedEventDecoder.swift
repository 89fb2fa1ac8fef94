/// Decodes and fully validates `EnrichedEvent` JSON record values — over 1M events/s on one core.
///
/// What it accepts: well-formed JSON (RFC 8259) in UTF-8, optionally after a UTF-8 byte order mark, whose
/// top-level value is an object with the required members `event_id`, `event_type` (strings) and
/// `timestamp` (an RFC 3339 date-time string, see ``EventTimestamp``). Optional members must have their
/// schema type or be `null` (treated as absent, like Codable's `decodeIfPresent`); a required member that
/// is `null` is `missing_field`. Unknown members are ignored but validated. When a member appears twice the
/// first occurrence counts, as with Foundation.
///
/// Compared with Foundation's `JSONDecoder` into the reference Codable model
/// (``ReferenceEnrichedEventDecoder``), which accepts and rejects the same documents otherwise, with the
/// same values and error classes, the deliberate differences are:
/// - Full validation everywhere. Foundation does not look inside members it does not decode, so it accepts
///   e.g. `{"note":"\q", ...}`, invalid UTF-8, raw control characters, lone `\ud800` escapes, and numbers
///   like `01`, `1.`, `-` or `1e` in unknown members. We reject them (Foundation's `JSONSerialization`
///   rejects them too): an event that is not valid JSON goes to the dead-letter topic, whatever member the
///   damage is in, and `event_data` — passed on as raw text — is always valid JSON.
/// - Trailing commas (`{"a":1,}`, `[1,]`) are rejected; Foundation accepts them.
/// - Nesting is limited to ``maxDepth`` (default 64; the top-level object is level 1) → `too_deep`.
///   Foundation's limit is 512.
/// - Only UTF-8 input. Foundation also detects and transcodes UTF-16 and UTF-32.
/// - Numbers in `event_data` are not range-checked (they stay text); the reference model, which decodes
///   `event_data` into a tree of `Double`s, rejects e.g. `1e400` or `1e-400` there as invalid JSON.
/// - A `processing_ms` that is not a whole number fitting in `Int` is `wrong_type` here; Foundation calls
///   the whole (valid) document invalid JSON. Written with a fraction or exponent it must also be below
///   2^53 in magnitude, where Foundation switches to `Decimal` (see `EventDocumentParser.integerValue`).
/// - Unlike Foundation, never traps: it is safe on any input.
public struct EnrichedEventDecoder: Sendable {
    /// Default nesting limit: generous for event payloads, small enough to bound stack use and work.
    public static let defaultMaxDepth = 64

    /// Deepest nesting of objects/arrays accepted; the top-level object is level 1.
    public var maxDepth: Int

    public init(maxDepth: Int = EnrichedEventDecoder.defaultMaxDepth) {
        precondition(maxDepth >= 1, "maxDepth must be at least 1")
        self.maxDepth = maxDepth
    }

    /// Decodes one record value. The bytes are copied; the event does not reference `bytes` afterwards.
    public func decode(_ bytes: UnsafeRawBufferPointer) throws(EventDecodingError) -> EnrichedEvent {
        var nothing: EnrichedEvent?
        return try decode(bytes, recycling: &nothing)
    }

    /// Decodes one record value like ``decode(_:)-(UnsafeRawBufferPointer)``, reusing the memory of
    /// `recycled` (an event the caller is done with) when nothing else references it and it is large
    /// enough, instead of allocating. Sets `recycled` to nil either way.
    ///
    /// For loops that decode, use and drop one event after another: they then allocate only when an
    /// event is larger than any before, or when its predecessor is still referenced elsewhere (a
    /// processor that kept it, say), which is detected and never overwritten.
    public func decode(
        _ bytes: UnsafeRawBufferPointer, recycling recycled: inout EnrichedEvent?
    ) throws(EventDecodingError) -> EnrichedEvent {
        let reusable = Self.takeReusableStorage(&recycled)
        let (source, count) = try Self.checkedValue(bytes)
        // One allocation: the payload copy the event keeps, the zero padding the scanner relies on and the
        // span table (see `EventStorage`). Parsing happens while the buffer is being initialized.
        var outcome = ParseOutcome.scanned(EventDocumentParser.Result())
        let maxDepth = maxDepth
        let storage = EventStorage.make(payloadCount: count, reusing: reusable) { base in
            base.initialize(from: source, count: count)
            (base + count).initialize(repeating: 0, count: EventStorage.padding)
            outcome = Self.parse(
                UnsafePointer(base), count: count, table: base + count + EventStorage.padding, maxDepth: maxDepth)
        }
        return try Self.event(storage, outcome, maxDepth: maxDepth)
    }

    /// How many zero bytes must follow the value given to ``decode(paddedBytes:owner:recycling:)``.
    public static let requiredPadding = EventStorage.padding

    /// Decodes one record value in place, without copying it: the event keeps `owner` (and through it the
    /// bytes) alive instead. Otherwise like ``decode(_:recycling:)``.
    ///
    /// - Parameters:
    ///   - bytes: the value, immediately followed in memory by at least ``requiredPadding`` zero bytes that
    ///     `owner` also keeps alive. Neither may change while any event decoded from them exists.
    ///   - owner: the object whose lifetime guarantees the bytes. An event that is kept keeps all of
    ///     `owner`'s memory, which for a consumer record is the arena of its whole run of records.
    public func decode(
        paddedBytes bytes: UnsafeRawBufferPointer, owner: AnyObject, recycling recycled: inout EnrichedEvent?
    ) throws(EventDecodingError) -> EnrichedEvent {
        let reusable = Self.takeReusableStorage(&recycled)
        let (source, count) = try Self.checkedValue(bytes)
        var outcome = ParseOutcome.scanned(EventDocumentParser.Result())
        let maxDepth = maxDepth
        let storage = EventStorage.make(borrowing: source, count: count, owner: owner, reusing: reusable) { table in
            outcome = Self.parse(source, count: count, table: table, maxDepth: maxDepth)
        }
        return try Self.event(storage, outcome, maxDepth: maxDepth)
    }

    /// Takes `recycled` (leaving nil) and returns its storage if nothing else references it.
    private static func takeReusableStorage(_ recycled: inout EnrichedEvent?) -> EventStorage? {
        var previous = recycled.take()
        // When `previous` goes out of scope, the returned storage has no other reference, if it had none.
        return previous?.uniquelyReferencedStorage()
    }

    /// The value's bytes and size, if it is one the decoder takes: not empty, and small enough for the
    /// 32-bit spans (Kafka records are far smaller anyway).
    private static func checkedValue(
        _ bytes: UnsafeRawBufferPointer
    ) throws(EventDecodingError) -> (UnsafePointer<UInt8>, Int) {
        guard bytes.count > 0, let source = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            throw EventDecodingError(kind: .emptyValue, message: "the record value is empty")
        }
        guard bytes.count <= Int(Int32.max) - EventStorage.capacity(payloadCount: 0) else {
            throw EventDecodingError(kind: .invalidJSON, message: "the record value is larger than 2 GiB")
        }
        return (source, bytes.count)
    }

    private enum ParseOutcome {
        case scanned(EventDocumentParser.Result)
        case failed(JSONScanError)
    }

    /// Parses `count` bytes at `base` (followed by zero padding), writing member spans into the span table
    /// at `table` (`EventStorage.tableSize` bytes, initialized here).
    @inline(__always)
    private static func parse(
        _ base: UnsafePointer<UInt8>, count: Int, table: UnsafeMutablePointer<UInt8>, maxDepth: Int
    ) -> ParseOutcome {
        let spans = SpanTable(base: UnsafeMutableRawPointer(table))
        spans.initializeAllAbsent()
        var parser = EventDocumentParser(
            scanner: JSONValidatingScanner(base: base, count: count, maxDepth: maxDepth), spans: spans)
        do throws(JSONScanError) {
            return .scanned(try parser.parse())
        } catch {
            return .failed(error)
        }
    }

    /// The event, or the error that the parse found.
    @inline(__always)
    private static func event(
        _ storage: EventStorage, _ outcome: ParseOutcome, maxDepth: Int
    ) throws(EventDecodingError) -> EnrichedEvent {
        switch outcome {
        case .failed(let scanError):
            throw storage.withPayload {
                scanError.decodingError(payload: $0, count: $0.count, maxDepth: maxDepth)
            }
        case .scanned(let parsed):
            if let semanticError = parsed.semanticError { throw semanticError }
            return EnrichedEvent(storage: storage, parsed: parsed)
        }
    }

    /// Decodes one record value.
    public func decode(_ bytes: [UInt8]) throws(EventDecodingError) -> EnrichedEvent {
        var result: EnrichedEvent?
        var failure = EventDecodingError(kind: .emptyValue, message: "the record value is empty")
        bytes.withUnsafeBytes { raw in
            do throws(EventDecodingError) {
                result = try decode(raw)
            } catch {
                failure = error
            }
        }
        guard let result else { throw failure }
        return result
    }

    /// Validates that `bytes` is a JSON object (used for ``RawJSON/init(validating:)``).
    static func validateObject(_ bytes: [UInt8]) throws(EventDecodingError) {
        let padded = bytes + [UInt8](repeating: 0, count: JSONValidatingScanner.padding)
        var failure: EventDecodingError?
        padded.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var scanner = JSONValidatingScanner(base: base, count: bytes.count, maxDepth: defaultMaxDepth)
            scanner.skipWhitespace()
            guard scanner.current == UInt8(ascii: "{") else {
                failure = EventDecodingError(kind: .wrongType, field: "event_data", message: "expected an object")
                return
            }
            do throws(JSONScanError) {
                try scanner.skipValue(depth: 0)
                scanner.skipWhitespace()
                guard scanner.isAtEnd else { throw scanner.error(.trailingContent) }
            } catch {
                failure = error.decodingError(payload: buffer, count: bytes.count, maxDepth: defaultMaxDepth)
            }
        }
        if let failure { throw failure }
    }
}
