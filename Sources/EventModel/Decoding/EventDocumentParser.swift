/// Walks one `EnrichedEvent` document with a ``JSONValidatingScanner``: validates all of it, records the
/// spans of the members the model has, and collects the first semantic error (in ``EventField`` order).
///
/// Error precedence mirrors Foundation's `JSONDecoder`, which parses the whole document before decoding:
/// a syntax, UTF-8 or depth error anywhere is thrown at once and wins; semantic errors (wrong type,
/// missing member, bad timestamp) are only reported once the whole document is known to be valid JSON.
struct EventDocumentParser {
    var scanner: JSONValidatingScanner
    /// Where member spans are written (the event storage's span table, initialized to absent).
    let spans: SpanTable
    /// Members seen (first occurrence wins, as in Foundation; later duplicates are validated and ignored).
    var seen: UInt32 = 0
    /// Object members present and not null (`client_info`, `service_info`, `processing_info`).
    var presentObjects: UInt32 = 0
    var processingMs: Int?
    /// `EventField.expectedKeys`, read once per document instead of once per member.
    private let expectedKeys = EventField.expectedKeys
    private var firstSemanticError: EventDecodingError?
    private var firstSemanticErrorOrder = UInt8.max

    init(scanner: JSONValidatingScanner, spans: SpanTable) {
        self.scanner = scanner
        self.spans = spans
    }

    struct Result {
        var timestamp = EventTimestamp(secondsSinceEpoch: 0)
        var presentObjects: UInt32 = 0
        var processingMs: Int?
        /// The first semantic error in member order, when the document is valid JSON but not a valid event.
        var semanticError: EventDecodingError?
    }

    mutating func parse() throws(JSONScanError) -> Result {
        // A UTF-8 byte order mark is skipped, as Foundation does (RFC 8259 §8.1 allows ignoring it).
        if scanner.count >= 3, scanner.base[0] == 0xEF, scanner.base[1] == 0xBB, scanner.base[2] == 0xBF {
            scanner.position = 3
        }
        scanner.skipWhitespace()
        guard !scanner.isAtEnd else { throw scanner.error(.noValue) }
        let isObject = scanner.current == UInt8(ascii: "{")
        if isObject {
            try parseEventObject()
        } else {
            try scanner.skipValue(depth: 0)
        }
        scanner.skipWhitespace()
        guard scanner.isAtEnd else { throw scanner.error(.trailingContent) }
        guard isObject else {
            return Result(
                semanticError: EventDecodingError(kind: .notAnObject, message: "the JSON value is not an object"))
        }

        checkRequired(.eventID)
        checkRequired(.eventType)
        checkRequired(.timestamp)
        var timestamp = EventTimestamp(secondsSinceEpoch: 0)
        let timestampSpan = spans[.timestamp]
        if !timestampSpan.isAbsent {
            if let parsed = withContent(of: timestampSpan, RFC3339Parser.parse) {
                timestamp = parsed
            } else {
                record(.invalidTimestamp, .timestamp, "not an RFC 3339 date-time")
            }
        }
        return Result(
            timestamp: timestamp, presentObjects: presentObjects, processingMs: processingMs,
            semanticError: firstSemanticError)
    }

    /// A required member that is absent or JSON `null` is `missing_field`; `null` is treated like absence
    /// for every member, as Codable's `decode` (valueNotFound) and `decodeIfPresent` (nil) do.
    private mutating func checkRequired(_ field: EventField) {
        guard spans[field].isAbsent else { return }
        let isNull = seen & field.bit != 0
        record(.missingField, field, isNull ? "required member is null" : "required member is missing")
    }

    /// Keeps the error of the member that comes first in the reference model's declaration order.
    private mutating func record(_ kind: EventDecodingError.Kind, _ field: EventField, _ message: String) {
        guard field.rawValue < firstSemanticErrorOrder else { return }
        firstSemanticErrorOrder = field.rawValue
        firstSemanticError = EventDecodingError(kind: kind, field: field.path, message: message)
    }

    // MARK: Objects

    private mutating func parseEventObject() throws(JSONScanError) {
        try parseObject(scope: .event, depth: 1)
    }

    /// Parses an object of `scope` at the scanner's position (an opening brace), the `depth`-th container.
    private mutating func parseObject(scope: EventField.Scope, depth: Int) throws(JSONScanError) {
        try scanner.checkDepth(depth)
        scanner.position &+= 1
        scanner.skipWhitespace()
        if scanner.current == UInt8(ascii: "}") {
            scanner.position &+= 1
            return
        }
        // The member guessed to come next (see `ExpectedMemberKey`); after a member the schema does not
        // know, the guess stays.
        var expected: EventField? = EventField.firstExpected(in: scope)
        while true {
            guard scanner.current == UInt8(ascii: "\"") else { throw scanner.error(.expectedMemberName) }
            let field: EventField?
            if let guess = expected, expectedKeys[Int(guess.rawValue)].isAt(scanner.base + scanner.position) {
                scanner.position &+= expectedKeys[Int(guess.rawValue)].length
                field = guess
            } else {
                let key = try scanner.scanString()
                try scanner.expect(UInt8(ascii: ":"), else: .expectedColon)
                field = match(key, scope: scope)
            }
            scanner.skipWhitespace()
            if let field {
                expected = field.expectedSuccessor
                if seen & field.bit == 0 {
                    seen |= field.bit
                    try parseMember(field, depth: depth)
                } else {
                    try scanner.skipValue(depth: depth)
                }
            } else {
                try scanner.skipValue(depth: depth)
            }
            guard try scanner.continueAfterMember(closing: UInt8(ascii: "}")) else { return }
        }
    }

    private mutating func parseMember(_ field: EventField, depth: Int) throws(JSONScanError) {
        switch field {
        case .eventData:
            if scanner.current == UInt8(ascii: "{") {
                let start = scanner.position
                try scanner.skipObject(depth: depth &+ 1)
                spans[.eventData] = ByteSpan(start: start, count: scanner.position &- start)
            } else if !scanner.scanNull() {
                record(.wrongType, field, "expected an object")
                try scanner.skipValue(depth: depth)
            }
        case .clientInfo, .serviceInfo, .processingInfo:
            if scanner.current == UInt8(ascii: "{") {
                presentObjects |= field.bit
                let scope: EventField.Scope =
                    field == .clientInfo ? .clientInfo : field == .serviceInfo ? .serviceInfo : .processingInfo
                try parseObject(scope: scope, depth: depth &+ 1)
            } else if !scanner.scanNull() {
                record(.wrongType, field, "expected an object")
                try scanner.skipValue(depth: depth)
            }
        case .processingMs:
            let byte = scanner.current
            if byte == UInt8(ascii: "-") || byte &- UInt8(ascii: "0") < 10 {
                let (span, isPlainInteger) = try scanner.scanNumber()
                if let value = integerValue(span, isPlainInteger: isPlainInteger) {
                    processingMs = value
                } else {
                    record(.wrongType, field, "number is not a whole number that fits in Int")
                }
            } else if !scanner.scanNull() {
                record(.wrongType, field, "expected a number")
                try scanner.skipValue(depth: depth)
            }
        default:  // string members
            if scanner.current == UInt8(ascii: "\"") {
                spans[field] = try scanner.scanString()
            } else if !scanner.scanNull() {
                record(.wrongType, field, "expected a string")
                try scanner.skipValue(depth: depth)
            }
        }
    }

    /// Identifies a member name (a validated string span) within `scope`.
    @inline(__always)
    private func match(_ key: ByteSpan, scope: EventField.Scope) -> EventField? {
        if key.hasEscapes {
            return matchEscaped(key, scope: scope)
        }
        let length = key.count
        // Reads 17 bytes from the key's start: within the payload plus its zero padding.
        let pointer = UnsafeRawPointer(scanner.base + Int(key.start))
        return EventField.match(
            scope: scope, length: length,
            word0: UInt64(littleEndian: pointer.loadUnaligned(as: UInt64.self)),
            word1: UInt64(littleEndian: pointer.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
            byte16: pointer.load(fromByteOffset: 16, as: UInt8.self))
    }

    /// Slow path for member names written with escapes (`"event\u005fid"` is `event_id` to Foundation too).
    @inline(never)
    private func matchEscaped(_ key: ByteSpan, scope: EventField.Scope) -> EventField? {
        withContent(of: key) { name -> EventField? in
            guard name.count >= 7, name.count <= 17 else { return nil }
            var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
            withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: UnsafeRawBufferPointer(name)) }
            return EventField.match(
                scope: scope, length: name.count, word0: UInt64(littleEndian: words.0),
                word1: UInt64(littleEndian: words.1), byte16: UInt8(truncatingIfNeeded: UInt64(littleEndian: words.2)))
        }
    }

    /// Calls `body` with a string span's unescaped bytes.
    private func withContent<R>(of span: ByteSpan, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let raw = UnsafeBufferPointer(start: scanner.base + Int(span.start), count: span.count)
        guard span.hasEscapes else { return body(UnsafeRawBufferPointer(raw)) }
        return JSONStringUnescaper.withUnescaped(raw) { body(UnsafeRawBufferPointer($0)) }
    }

    /// The value of a JSON number as Foundation's `JSONDecoder` reads it into an `Int`: a plain integer
    /// exactly (nil on overflow); any other form through `Double` (strtod, correctly rounded) when that is a
    /// whole number below 2^53 in magnitude, so `5.0`, `5e0` and `0.5e1` are 5 and `5.5` is nil.
    ///
    /// Deliberate difference: from 2^53 up, Foundation re-reads non-plain numbers as `Decimal` (and can
    /// trap on some); we reject them. No real `processing_ms` is 2^53 ms (285,000 years).
    private func integerValue(_ span: ByteSpan, isPlainInteger: Bool) -> Int? {
        let digits = UnsafeBufferPointer(start: scanner.base + Int(span.start), count: span.count)
        if isPlainInteger {
            let isNegative = digits[0] == UInt8(ascii: "-")
            // Accumulate negatively so Int.min is representable.
            var value = 0
            for byte in digits[(isNegative ? 1 : 0)...] {
                let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (next, overflow2) = times10.subtractingReportingOverflow(Int(byte &- UInt8(ascii: "0")))
                guard !overflow1, !overflow2 else { return nil }
                value = next
            }
            if isNegative { return value }
            return value == .min ? nil : -value
        }
        guard let double = Double(String(decoding: digits, as: UTF8.self)),
            double.magnitude < 9_007_199_254_740_992
        else { return nil }
        return Int(exactly: double)
    }
}
