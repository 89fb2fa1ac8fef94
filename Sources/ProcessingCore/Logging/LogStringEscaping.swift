/// Makes strings safe to put in a log line: cut to a fixed length, and every character that could
/// forge a line or drive a terminal written as a visible escape.
///
/// Strings in log lines come from the wire (an event's `event_type`, `user_id`, a decoder's reason
/// quoting a record), so a producer controls them. Without this, an `event_type` holding a newline
/// and a fake prefix printed a standalone forged line in text logs, ANSI escape sequences reached the
/// operator's terminal raw, and a 1 MB `event_type` made a 2 MB line (issue 11, item 10).
///
/// Escaped, in both formats: C0 controls (`\n`, `\r`, `\t`, `\b`, `\f`, else `\u001b` and the like),
/// DEL (`\u007f`), C1 controls (U+0080–U+009F, `\u009b` is a one-character CSI on some terminals), the
/// line and paragraph separators U+2028/U+2029 and the bidirectional overrides and isolates
/// (U+202A–U+202E, U+2066–U+2069), which can make a line read differently from what it contains. In
/// JSON strings `"` and `\` are escaped too, as RFC 8259 requires; every escape used is valid JSON.
enum LogStringEscaping {
    /// Longest message written, in UTF-8 bytes, before the truncation marker.
    static let messageLimit = 4096
    /// Longest metadata value (each string, also inside nested values), in UTF-8 bytes.
    static let metadataValueLimit = 1024

    /// Appends `text` as the body of a JSON string (no quotes), cut to `limit` bytes.
    static func appendJSONStringBody(_ text: String, limit: Int, to bytes: inout [UInt8]) {
        append(text, limit: limit, escapingQuotes: true, to: &bytes)
    }

    /// Appends `text` for a text-format line: as it is, except the characters listed above escaped
    /// (`"` and `\` are not), cut to `limit` bytes.
    static func appendVisible(_ text: String, limit: Int, to bytes: inout [UInt8]) {
        append(text, limit: limit, escapingQuotes: false, to: &bytes)
    }

    /// Whether `text` is left exactly as it is by `appendVisible` and contains no space, `"` or `=` (so
    /// a text-format metadata value needs no quotes): the common case, checked in one pass.
    static func isPlainToken(_ text: String, limit: Int) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            guard !utf8.isEmpty, utf8.count <= limit else { return false }
            for byte in utf8 where plainTokenStoppers[Int(byte)] { return false }
            return true
        }
    }

    private static func append(_ text: String, limit: Int, escapingQuotes: Bool, to bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { utf8 in
            let end = utf8.count <= limit ? utf8.count : scalarBoundary(in: utf8, atOrBefore: limit)
            let attention = escapingQuotes ? jsonAttention : visibleAttention
            var runStart = 0
            var index = 0
            while index < end {
                let byte = utf8[index]
                guard attention[Int(byte)] else {
                    index += 1
                    continue
                }
                // How many bytes the character starting here takes, and its escape (nil: copy it as is).
                let (length, escape) = classify(utf8, at: index, byte: byte)
                guard let escape else {
                    index += length
                    continue
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                appendEscape(escape, to: &bytes)
                index += length
                runStart = index
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<end]))
            if end < utf8.count {
                bytes.append(contentsOf: "…[truncated from \(utf8.count) bytes]".utf8)
            }
        }
    }

    /// The escape a character needs: one of the short forms (`n` for `\n`) or a code point for `\uXXXX`.
    private enum Escape {
        case short(UInt8)
        case codePoint(UInt32)
    }

    private static func classify(_ utf8: UnsafeBufferPointer<UInt8>, at index: Int, byte: UInt8) -> (Int, Escape?) {
        switch byte {
        case UInt8(ascii: "\""): return (1, .short(UInt8(ascii: "\"")))
        case UInt8(ascii: "\\"): return (1, .short(UInt8(ascii: "\\")))
        case 0x0A: return (1, .short(UInt8(ascii: "n")))
        case 0x0D: return (1, .short(UInt8(ascii: "r")))
        case 0x09: return (1, .short(UInt8(ascii: "t")))
        case 0x08: return (1, .short(UInt8(ascii: "b")))
        case 0x0C: return (1, .short(UInt8(ascii: "f")))
        case 0x00..<0x20, 0x7F: return (1, .codePoint(UInt32(byte)))
        case 0xC2:
            // U+0080–U+00BF; C1 controls are U+0080–U+009F. A String is valid UTF-8: the byte exists.
            let second = utf8[index + 1]
            return (2, second <= 0x9F ? .codePoint(UInt32(second)) : nil)
        case 0xE2:
            // U+2000–U+2FFF (three bytes): separators U+2028–U+202E and isolates U+2066–U+2069.
            let codePoint = 0x2000 | UInt32(utf8[index + 1] & 0x3F) << 6 | UInt32(utf8[index + 2] & 0x3F)
            let invisible = (0x2028...0x202E).contains(codePoint) || (0x2066...0x2069).contains(codePoint)
            return (3, invisible ? .codePoint(codePoint) : nil)
        default:
            return (1, nil)
        }
    }

    private static func appendEscape(_ escape: Escape, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\\"))
        switch escape {
        case .short(let letter):
            bytes.append(letter)
        case .codePoint(let codePoint):
            bytes.append(UInt8(ascii: "u"))
            for shift in stride(from: 12, through: 0, by: -4) {
                bytes.append(hexDigits[Int((codePoint >> UInt32(shift)) & 0xF)])
            }
        }
    }

    /// The largest index ≤ `limit` that starts a character (never inside a multi-byte sequence).
    private static func scalarBoundary(in utf8: UnsafeBufferPointer<UInt8>, atOrBefore limit: Int) -> Int {
        var end = max(0, limit)
        while end > 0 && utf8[end] & 0xC0 == 0x80 { end -= 1 }
        return end
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Bytes that start a character `appendVisible` may escape: C0, DEL, and the lead bytes 0xC2 and 0xE2.
    private static let visibleAttention: [Bool] = (0...255).map { byte in
        byte < 0x20 || byte == 0x7F || byte == 0xC2 || byte == 0xE2
    }

    /// The same plus `"` and `\`, for JSON strings.
    private static let jsonAttention: [Bool] = (0...255).map { byte in
        visibleAttention[byte] || byte == 0x22 || byte == 0x5C
    }

    /// Bytes that make a text-format metadata value need quotes: space, `"`, `=` and the above.
    private static let plainTokenStoppers: [Bool] = (0...255).map { byte in
        visibleAttention[byte] || byte == 0x20 || byte == 0x22 || byte == 0x3D
    }
}
