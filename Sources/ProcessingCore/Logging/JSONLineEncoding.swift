import Logging

/// Appends JSON text to a byte buffer: strings with RFC 8259 escaping, and swift-log metadata values
/// as the JSON they naturally are (strings, nested objects, arrays).
///
/// Written by hand because no package available here writes swift-log events as JSON lines, and going
/// through `JSONEncoder`/`JSONSerialization` per log line would allocate an intermediate tree and cost
/// several times more than the line itself.
enum JSONLineEncoding {
    /// Appends `text` as a JSON string literal, quotes included.
    static func appendString(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var runStart = 0
            for index in utf8.indices {
                let byte = utf8[index]
                // Bytes ≥ 0x80 are parts of valid UTF-8 sequences (a Swift String is always valid UTF-8)
                // and are copied as they are; only `"`, `\` and control characters need escaping.
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                runStart = index + 1
                switch byte {
                case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])  // \"
                case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])  // \\
                case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                case 0x08: bytes.append(contentsOf: [0x5C, UInt8(ascii: "b")])
                case 0x0C: bytes.append(contentsOf: [0x5C, UInt8(ascii: "f")])
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends a metadata value: strings and string-convertibles as JSON strings (a value's type is not
    /// kept: `.stringConvertible(42)` becomes `"42"`, as swift-log's own handlers print it), dictionaries
    /// as objects with sorted keys (stable output), arrays as arrays.
    static func appendValue(_ value: Logger.MetadataValue, to bytes: inout [UInt8]) {
        switch value {
        case .string(let text):
            appendString(text, to: &bytes)
        case .stringConvertible(let convertible):
            appendString(convertible.description, to: &bytes)
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
