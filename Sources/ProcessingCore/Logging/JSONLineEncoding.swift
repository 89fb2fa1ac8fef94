import Logging

/// Appends JSON text to a byte buffer: strings with RFC 8259 escaping, and swift-log metadata values
/// as the JSON they naturally are (strings, nested objects, arrays).
///
/// Written by hand because no package available here writes swift-log events as JSON lines, and going
/// through `JSONEncoder`/`JSONSerialization` per log line would allocate an intermediate tree and cost
/// several times more than the line itself.
enum JSONLineEncoding {
    /// Appends `text` as a JSON string literal, quotes included, cut to `limit` UTF-8 bytes (see
    /// `LogStringEscaping` for what is escaped beyond RFC 8259's minimum, and why).
    static func appendString(_ text: String, limit: Int = .max, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        LogStringEscaping.appendJSONStringBody(text, limit: limit, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends a metadata value: strings and string-convertibles as JSON strings (a value's type is not
    /// kept: `.stringConvertible(42)` becomes `"42"`, as swift-log's own handlers print it), dictionaries
    /// as objects with sorted keys (stable output), arrays as arrays. Every string is cut to
    /// `LogStringEscaping.metadataValueLimit` bytes.
    static func appendValue(_ value: Logger.MetadataValue, to bytes: inout [UInt8]) {
        switch value {
        case .string(let text):
            appendString(text, limit: LogStringEscaping.metadataValueLimit, to: &bytes)
        case .stringConvertible(let convertible):
            appendString(convertible.description, limit: LogStringEscaping.metadataValueLimit, to: &bytes)
        case .dictionary(let dictionary):
            appendObject(dictionary, to: &bytes)
        case .array(let values):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in values.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                appendValue(element, to: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        }
    }

    /// Appends metadata as a JSON object with sorted keys.
    static func appendObject(_ metadata: Logger.Metadata, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "{"))
        // Sorting the pairs (not the keys, then looking each up again) saves a hash per entry.
        for (index, entry) in metadata.sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            appendString(entry.key, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            appendValue(entry.value, to: &bytes)
        }
        bytes.append(UInt8(ascii: "}"))
    }
}
