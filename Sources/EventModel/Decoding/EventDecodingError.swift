/// Why a record value is not a valid `EnrichedEvent`.
///
/// ``errorClass`` is a stable, machine-readable string meant for the dead-letter header `dlq.error.class`
/// and for metrics labels; ``message`` is for humans and may change.
public struct EventDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kinds of decoding failure. Raw values are the stable error classes.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Not well-formed JSON (RFC 8259): syntax errors, bad escapes, lone surrogate escapes, control
        /// characters in strings, trailing commas or garbage, truncation.
        case invalidJSON = "invalid_json"
        /// Bytes that are not valid UTF-8 (overlong forms, encoded surrogates, stray continuation bytes...).
        case invalidUTF8 = "invalid_utf8"
        /// Objects/arrays nested deeper than the decoder's `maxDepth`.
        case tooDeep = "too_deep"
        /// A zero-length value (a tombstone — no value at all — is classified by the pipeline, not here).
        case emptyValue = "empty_value"
        /// Well-formed JSON whose top-level value is not an object.
        case notAnObject = "not_an_object"
        /// A required member (`event_id`, `event_type`, `timestamp`) is absent or `null`.
        case missingField = "missing_field"
        /// A known member has the wrong JSON type, or a number that does not fit the field.
        case wrongType = "wrong_type"
        /// `timestamp` is a string but not an RFC 3339 date-time.
        case invalidTimestamp = "invalid_timestamp"
    }

    public var kind: Kind
    /// The member at fault as a dotted path (`client_info.user_agent`), when the error concerns one.
    public var field: String?
    /// Byte offset in the value where a syntax error was found, when known.
    public var byteOffset: Int?
    /// A human-readable explanation.
    public var message: String

    public init(kind: Kind, field: String? = nil, byteOffset: Int? = nil, message: String) {
        self.kind = kind
        self.field = field
        self.byteOffset = byteOffset
        self.message = message
    }

    /// The stable error class for `dlq.error.class`, e.g. `invalid_timestamp`.
    public var errorClass: String { kind.rawValue }

    public var description: String {
        var text = errorClass
        if let field { text += " (\(field))" }
        if let byteOffset { text += " at byte \(byteOffset)" }
        return text + ": " + message
    }
}
