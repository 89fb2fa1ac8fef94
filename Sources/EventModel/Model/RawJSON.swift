/// A JSON value kept exactly as it appeared in the event (validated, not re-encoded): `event_data` has no
/// fixed schema, so the service passes it on losslessly instead of guessing types for it.
public struct RawJSON: Sendable, Hashable, CustomStringConvertible {
    /// The value's UTF-8 JSON text.
    public let bytes: [UInt8]

    /// Wraps JSON text that is already known to be valid. Use ``init(validating:)`` for untrusted text.
    init(trustedBytes: [UInt8]) {
        bytes = trustedBytes
    }

    /// Validates `text` as a JSON object (the form `event_data` takes) and keeps it as is.
    public init(validating text: String) throws(EventDecodingError) {
        let bytes = Array(text.utf8)
        try EnrichedEventDecoder.validateObject(bytes)
        self.bytes = bytes
    }

    /// The JSON text.
    public var text: String { String(decoding: bytes, as: UTF8.self) }
    public var description: String { text }
}
