import CEventJSON

/// A byte range of the decoder's owned payload copy. For strings it is the content between the quotes;
/// ``hasEscapes`` says whether it must be unescaped before use (most values never need it).
/// Packed into 8 bytes (escapes flagged by a negative count) to keep `EnrichedEvent` small.
struct ByteSpan: Sendable, Equatable {
    private(set) var start: Int32
    private var signedCount: Int32

    init(start: Int, count: Int, hasEscapes: Bool = false) {
        self.start = Int32(truncatingIfNeeded: start)
        let count = Int32(truncatingIfNeeded: count)
        signedCount = hasEscapes ? ~count : count
    }

    var count: Int { Int(signedCount < 0 ? ~signedCount : signedCount) }
    var hasEscapes: Bool { signedCount < 0 }
    var range: Range<Int> { Int(start)..<(Int(start) + count) }

    /// Marks an absent member.
    static let absent = ByteSpan(start: -1, count: 0)
    var isAbsent: Bool { start < 0 }
}

/// A single-pass, validating JSON (RFC 8259) scanner over a padded byte buffer.
///
/// Hand-written because no library reachable here validates a document fully at the speed the pipeline
/// needs, measured on the same 20k-event synthetic corpus (~756 bytes/event, 2-core EPYC shared with other
/// builds, so rates are per CPU-second of the decoding thread):
/// - Foundation's `JSONDecoder` into a Codable model: ~32k events/CPU-s (~42k on an idle machine), and it
///   skips unknown members without validating them.
/// - simdjson 3.0.1 (Debian) DOM parser, which validates fully, from C++ with nine member look-ups and no
///   copies: ~1.6M events/CPU-s (0.8-1.2M/s wall) — before any Swift bridging or payload copy. Its
///   On-Demand API is faster but does not validate values it skips.
/// - This scanner, through `EnrichedEventDecoder` (payload copy, spans, timestamp parsed): ~1.7M events/CPU-s
///   (~2.0M since member names are guessed in schema order, see `ExpectedMemberKey`), with Foundation's
///   rules where they matter (duplicate members: first wins; lone surrogate escapes: rejected) under our
///   control.
/// It validates everything (grammar, escapes, surrogate pairs, UTF-8, nesting depth) while touching each
/// byte once, 16 bytes at a time inside strings (SSE2/NEON, `cejson_string_stop_offset`), and records where
/// the members the decoder wants are instead of copying them.
///
/// Memory contract: `base` points at `count` payload bytes followed by at least
/// ``JSONValidatingScanner/padding`` zero bytes. Unaligned 16-byte loads and fixed-width look-aheads may
/// read into that padding; a zero byte is invalid in every position where the scanner would accept more
/// input, so the padding is never mistaken for content and no per-byte bounds check is needed.
struct JSONValidatingScanner {
    static let padding = 32

    let base: UnsafePointer<UInt8>
    let count: Int
    let maxDepth: Int
    var position: Int = 0

    init(base: UnsafePointer<UInt8>, count: Int, maxDepth: Int) {
        self.base = base
        self.count = count
        self.maxDepth = maxDepth
    }

    @inline(__always) var current: UInt8 { base[position] }
    @inline(__always) var isAtEnd: Bool { position >= count }

    @inline(__always)
    func error(_ reason: JSONScanError.Reason) -> JSONScanError {
        JSONScanError(reason, at: position)
    }

    // MARK: Whitespace and punctuation

    /// Skips JSON whitespace (space, tab, line feed, carriage return — nothing else).
    @inline(__always)
    mutating func skipWhitespace() {
        while true {
            let byte = current
            guard byte <= 0x20, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            position &+= 1
        }
    }

    /// Consumes optional whitespace and then `byte`, which must be ASCII punctuation (never a zero byte, so
    /// the padding can never match it).
    @inline(__always)
    mutating func expect(_ byte: UInt8, else reason: JSONScanError.Reason) throws(JSONScanError) {
        if current != byte {
            skipWhitespace()
            guard current == byte else { throw error(reason) }
        }
        position &+= 1
    }

    // MARK: Strings

    /// Scans a string starting at the opening quote; returns its content span (between the quotes).
    @inline(__always)
    mutating func scanString() throws(JSONScanError) -> ByteSpan {
        position &+= 1  // opening quote, checked by the caller
        let start = position
        var hasEscapes = false
        while true {
            // Find the next byte that is a quote, a backslash, a control character or non-ASCII, 16 at a
            // time. The padding is zero, a control character, so this stops at the end of the payload at the
            // latest, and the 16-byte loads stay within payload plus padding.
            position &+= cejson_string_stop_offset(base + position)
            let byte = current
            if byte == UInt8(ascii: "\"") {
                // Always inside the payload: the padding has no quotes.
                let span = ByteSpan(start: start, count: position &- start, hasEscapes: hasEscapes)
                position &+= 1
                return span
            } else if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                try scanEscape()
            } else if byte >= 0x80 {
                try scanMultiByteCharacter()
            } else {
                throw error(position < count ? .controlCharacterInString : .unterminatedString)
            }
        }
    }

    /// Validates the escape at `position` (a backslash) and moves past it. `\u` escapes must be valid hex
    /// and surrogates must come in high-low pairs: Foundation rejects lone surrogates in the members it
    /// decodes, and we apply the same rule everywhere (see ``EnrichedEventDecoder``).
    @inline(never)
    mutating func scanEscape() throws(JSONScanError) {
        switch base[position &+ 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            position &+= 2
        case UInt8(ascii: "u"):
            // Padding is not a hex digit, so an escape cut by the end of the payload fails here.
            guard let unit = Self.hexQuad(base + (position &+ 2)) else { throw error(.invalidUnicodeEscape) }
            if unit >= 0xD800 && unit <= 0xDBFF {
                guard base[position &+ 6] == UInt8(ascii: "\\"), base[position &+ 7] == UInt8(ascii: "u"),
                    let low = Self.hexQuad(base + (position &+ 8)), low >= 0xDC00, low <= 0xDFFF
                else { throw error(.unpairedHighSurrogate) }
                position &+= 12
            } else if unit >= 0xDC00 && unit <= 0xDFFF {
                throw error(.unpairedLowSurrogate)
            } else {
                position &+= 6
            }
        default:
            throw error(.invalidEscape)
        }
    }

    /// The value of four hex digits, or nil. Reads exactly four bytes (padding makes that safe).
    @inline(__always)
    static func hexQuad(_ pointer: UnsafePointer<UInt8>) -> UInt16? {
        var value: UInt16 = 0
        for offset in 0..<4 {
            let byte = pointer[offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte &- UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte &- UInt8(ascii: "a") &+ 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte &- UInt8(ascii: "A") &+ 10
            default: return nil
            }
            value = value &<< 4 | UInt16(digit)
        }
        return value
    }

    /// Validates one UTF-8 encoded character starting at `position` (a byte ≥ 0x80) per Unicode's
    /// well-formed byte sequences table (no overlong forms, no surrogates, nothing above U+10FFFF).
    @inline(never)
    mutating func scanMultiByteCharacter() throws(JSONScanError) {
        let lead = current
        let second = base[position &+ 1]
        let length: Int
        let secondRange: ClosedRange<UInt8>
        switch lead {
        case 0xC2...0xDF: length = 2; secondRange = 0x80...0xBF
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3; secondRange = 0x80...0xBF
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4; secondRange = 0x80...0xBF
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        default: throw utf8Error()
        }
        guard secondRange.contains(second) else { throw utf8Error() }
        if length >= 3 { guard base[position &+ 2] & 0xC0 == 0x80 else { throw utf8Error() } }
        if length == 4 { guard base[position &+ 3] & 0xC0 == 0x80 else { throw utf8Error() } }
        // Padding bytes are zero, never continuation bytes, so a sequence cut by the end fails above.
        position &+= length
    }

    func utf8Error() -> JSONScanError {
        error(.invalidUTF8)
    }

    // MARK: Numbers and literals

    /// Scans a number (RFC 8259 grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`).
    /// Returns its span and whether it is a plain integer (no fraction, no exponent).
    @inline(__always)
    mutating func scanNumber() throws(JSONScanError) -> (span: ByteSpan, isPlainInteger: Bool) {
        let start = position
        var isPlainInteger = true
        if current == UInt8(ascii: "-") { position &+= 1 }
        if current == UInt8(ascii: "0") {
            position &+= 1
        } else if current &- UInt8(ascii: "1") < 9 {
            position &+= 1
            skipDigits()
        } else {
            throw error(.expectedDigit)
        }
        if current == UInt8(ascii: ".") {
            isPlainInteger = false
            position &+= 1
            guard current &- UInt8(ascii: "0") < 10 else { throw error(.expectedFractionDigit) }
            skipDigits()
        }
        if current | 0x20 == UInt8(ascii: "e") {
            isPlainInteger = false
            position &+= 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position &+= 1 }
            guard current &- UInt8(ascii: "0") < 10 else { throw error(.expectedExponentDigit) }
            skipDigits()
        }
        // A number running into the padding ends there: padding is not a digit.
        return (ByteSpan(start: start, count: position &- start), isPlainInteger)
    }

    @inline(__always)
    mutating func skipDigits() {
        while current &- UInt8(ascii: "0") < 10 { position &+= 1 }
    }

    /// Scans `true`, `false` or `null` at `position`. The 4/5-byte comparison may read padding.
    @inline(__always)
    mutating func scanLiteral() throws(JSONScanError) {
        let word = UInt32(littleEndian: UnsafeRawPointer(base + position).loadUnaligned(as: UInt32.self))
        switch word {
        case 0x6575_7274, 0x6C6C_756E:  // "true", "null"
            position &+= 4
        case 0x736C_6166 where base[position &+ 4] == UInt8(ascii: "e"):  // "fals" + "e"
            position &+= 5
        default:
            throw error(.expectedValue)
        }
        // "true"/"null"/"false" cannot match the zero padding, so the literal lies within the payload.
    }

    /// True (and moves past it) if `null` is at `position`.
    @inline(__always)
    mutating func scanNull() -> Bool {
        let word = UInt32(littleEndian: UnsafeRawPointer(base + position).loadUnaligned(as: UInt32.self))
        guard word == 0x6C6C_756E else { return false }
        position &+= 4
        return true
    }

    // MARK: Whole values

    /// Validates any JSON value at `position` (whitespace already skipped), nested at `depth` (the depth of
    /// the container holding it).
    mutating func skipValue(depth: Int) throws(JSONScanError) {
        switch current {
        case UInt8(ascii: "\""): _ = try scanString()
        case UInt8(ascii: "{"): try skipObject(depth: depth &+ 1)
        case UInt8(ascii: "["): try skipArray(depth: depth &+ 1)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try scanNumber()
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"): try scanLiteral()
        default: throw error(.expectedValue)
        }
    }

    @inline(__always)
    func checkDepth(_ depth: Int) throws(JSONScanError) {
        guard depth <= maxDepth else { throw error(.tooDeep) }
    }

    /// Validates an object at `position` (an opening brace) that is the `depth`-th nested container.
    mutating func skipObject(depth: Int) throws(JSONScanError) {
        try checkDepth(depth)
        position &+= 1
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            position &+= 1
            return
        }
        while true {
            guard current == UInt8(ascii: "\"") else { throw error(.expectedMemberName) }
            _ = try scanString()
            try expect(UInt8(ascii: ":"), else: .expectedColon)
            skipWhitespace()
            try skipValue(depth: depth)
            guard try continueAfterMember(closing: UInt8(ascii: "}")) else { return }
        }
    }

    /// Validates an array at `position` (an opening bracket) that is the `depth`-th nested container.
    mutating func skipArray(depth: Int) throws(JSONScanError) {
        try checkDepth(depth)
        position &+= 1
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            position &+= 1
            return
        }
        while true {
            try skipValue(depth: depth)
            guard try continueAfterMember(closing: UInt8(ascii: "]")) else { return }
            skipWhitespace()
        }
    }

    /// After a member or element: consumes `,` (returns true: another must follow — no trailing commas) or
    /// the closing bracket (returns false).
    @inline(__always)
    mutating func continueAfterMember(closing: UInt8) throws(JSONScanError) -> Bool {
        skipWhitespace()
        let byte = current
        // No end check needed: the zero padding is neither ',' nor a closing bracket.
        if byte == UInt8(ascii: ",") {
            position &+= 1
            skipWhitespace()
            return true
        }
        if byte == closing {
            position &+= 1
            return false
        }
        throw error(closing == UInt8(ascii: "}") ? .expectedCommaOrObjectEnd : .expectedCommaOrArrayEnd)
    }
}
