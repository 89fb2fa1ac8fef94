/// The in-order fast path for member names: producers write an event's members in the order the schema
/// documents them (the original service's `EnrichedEvent` example, which ``EventField`` follows), so the
/// parser can guess the next member and check the guess with three word comparisons, instead of
/// scanning the name as a string and then identifying it.
///
/// Why: scanning a name (a data-dependent 16-byte loop whose exit branch mispredicts) and identifying it
/// (a switch on scope and length) were the largest part of decoding, for the ~20 names per event whose
/// spelling the decoder knows in advance. A guess that fails costs the three comparisons and the parser
/// then takes the general path, so any order, whitespace or escaping is still read correctly — only
/// slower.
///
/// What a match proves: the bytes at the position are exactly `"` + key + `"` + `:`, i.e. a complete
/// string without escapes or control characters (valid JSON) whose content is the key, followed by the
/// colon — the same outcome as `scanString`, `expect(":")` and `EventField.match` together.
struct ExpectedMemberKey {
    /// `"key":` as little-endian words, bytes past ``length`` zero.
    private let word0: UInt64
    private let word1: UInt64
    private let word2: UInt64
    /// Which bits of the second and third words belong to the token.
    private let mask1: UInt64
    private let mask2: UInt64
    /// Bytes in `"key":`: 10 (`user_id`) to 20 (`screen_resolution`).
    let length: Int

    init(key: Substring) {
        let token = [UInt8(ascii: "\"")] + Array(key.utf8) + [UInt8(ascii: "\""), UInt8(ascii: ":")]
        precondition(token.count >= 8 && token.count <= 24, "member keys are 5 to 21 bytes long")
        func word(_ index: Int) -> (value: UInt64, mask: UInt64) {
            var value: UInt64 = 0
            var mask: UInt64 = 0
            for byte in 0..<8 where index * 8 + byte < token.count {
                value |= UInt64(token[index * 8 + byte]) << (8 * UInt64(byte))
                mask |= 0xFF << (8 * UInt64(byte))
            }
            return (value, mask)
        }
        word0 = word(0).value
        (word1, mask1) = word(1)
        (word2, mask2) = word(2)
        length = token.count
    }

    /// Whether the token starts at `pointer`. Reads 24 bytes: the scanner's padding makes that safe from
    /// any position inside the payload.
    @inline(__always)
    func isAt(_ pointer: UnsafePointer<UInt8>) -> Bool {
        let raw = UnsafeRawPointer(pointer)
        let first = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
        let second = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        let third = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        // One branch for the three comparisons: the guess is right or wrong as a whole.
        return (first ^ word0) | ((second & mask1) ^ word1) | ((third & mask2) ^ word2) == 0
    }
}

extension EventField {
    /// Every field's ``ExpectedMemberKey``, indexed by raw value, in memory that is never freed: the parser
    /// reads it for every member on every core, so it must not be reference counted (a shared count would
    /// bounce between the cores' caches).
    /// `nonisolated(unsafe)`: written once, by the initializer, and only read afterwards.
    nonisolated(unsafe) static let expectedKeys: UnsafePointer<ExpectedMemberKey> = {
        let keys = UnsafeMutablePointer<ExpectedMemberKey>.allocate(capacity: allCases.count)
        for field in allCases {
            (keys + Int(field.rawValue)).initialize(to: ExpectedMemberKey(key: field.key))
        }
        return UnsafePointer(keys)
    }()

    /// The member a document is expected to start `scope` with (the first the schema lists there).
    @inline(__always)
    static func firstExpected(in scope: Scope) -> EventField {
        switch scope {
        case .event: .eventID
        case .clientInfo: .userAgent
        case .serviceInfo: .serviceName
        case .processingInfo: .receivedAt
        }
    }

    /// The member expected after this one in its object, or nil after the last the schema lists there.
    @inline(__always)
    var expectedSuccessor: EventField? {
        switch self {
        case .eventID: .requestID
        case .requestID: .eventType
        case .eventType: .timestamp
        case .timestamp: .userID
        case .userID: .sessionID
        case .sessionID: .pageURL
        case .pageURL: .eventData
        case .eventData: .clientInfo
        case .clientInfo: .serviceInfo
        case .userAgent: .screenResolution
        case .screenResolution: .language
        case .language: nil
        case .serviceInfo: .processingInfo
        case .serviceName: .serviceVersion
        case .serviceVersion: .environment
        case .environment: nil
        case .processingInfo: nil
        case .receivedAt: .processedAt
        case .processedAt: .processingMs
        case .processingMs: nil
        }
    }
}
