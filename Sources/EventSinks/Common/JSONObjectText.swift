/// Builds the JSON text of a small flat object (`client_info`, `service_info`, `processing_info`) from
/// decoded members. Hand-written rather than `JSONEncoder`: three members of known types, once per event
/// per object, where `JSONEncoder` would cost more than the rest of the row.
struct JSONObjectText {
    private var text = "{"
    private var isEmpty = true

    static func build(_ body: (inout JSONObjectText) -> Void) -> String {
        var object = JSONObjectText()
        body(&object)
        object.text.append("}")
        return object.text
    }

    /// Adds `"key":"value"`, or nothing when `value` is nil (the member was absent or null).
    mutating func member(_ key: String, _ value: String?) {
        guard let value else { return }
        separate(key)
        text.append("\"")
        Self.appendEscaped(value, to: &text)
        text.append("\"")
    }

    mutating func member(_ key: String, _ value: Int?) {
        guard let value else { return }
        separate(key)
        text.append(String(value))
    }

    private mutating func separate(_ key: String) {
        if !isEmpty { text.append(",") }
        isEmpty = false
        text.append("\"\(key)\":")
    }

    /// JSON string escaping (RFC 8259 §7): quote, backslash and control characters.
    static func appendEscaped(_ value: String, to text: inout String) {
        let needsEscaping = value.utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        guard needsEscaping else {
            text.append(value)
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text.append("\\\"")
            case "\\": text.append("\\\\")
            case "\n": text.append("\\n")
            case "\r": text.append("\\r")
            case "\t": text.append("\\t")
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default: text.unicodeScalars.append(scalar)
            }
        }
    }
}
