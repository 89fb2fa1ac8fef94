/// A syntax, encoding or depth error found by ``JSONValidatingScanner``.
///
/// Eight bytes and trivially copyable on purpose: every scanning function can fail, and a small typed error
/// is returned in registers, while a rich error (strings) would be copied through every call on the hot
/// path. ``EventDecodingError`` with its message is built from this only when decoding actually fails.
struct JSONScanError: Error, Equatable {
    enum Reason: UInt8 {
        case noValue, trailingContent, expectedValue, expectedMemberName, expectedColon
        case expectedCommaOrObjectEnd, expectedCommaOrArrayEnd, expectedDigit, expectedFractionDigit
        case expectedExponentDigit, unterminatedString, controlCharacterInString, invalidEscape
        case invalidUnicodeEscape, unpairedHighSurrogate, unpairedLowSurrogate, invalidUTF8, tooDeep

        var message: String {
            switch self {
            case .noValue: "no JSON value"
            case .trailingContent: "unexpected content after the JSON value"
            case .expectedValue: "expected a JSON value"
            case .expectedMemberName: "expected a member name (a string)"
            case .expectedColon: "expected ':' after a member name"
            case .expectedCommaOrObjectEnd: "expected ',' or '}'"
            case .expectedCommaOrArrayEnd: "expected ',' or ']'"
            case .expectedDigit: "expected a digit"
            case .expectedFractionDigit: "expected a digit after '.'"
            case .expectedExponentDigit: "expected an exponent digit"
            case .unterminatedString: "unterminated string"
            case .controlCharacterInString: "unescaped control character in a string"
            case .invalidEscape: "invalid escape sequence"
            case .invalidUnicodeEscape: "invalid \\u escape (four hex digits required)"
            case .unpairedHighSurrogate: "\\u escape with a UTF-16 high surrogate not followed by a low one"
            case .unpairedLowSurrogate: "\\u escape with a lone UTF-16 low surrogate"
            case .invalidUTF8: "invalid UTF-8 byte sequence"
            case .tooDeep: "objects and arrays nested too deeply"
            }
        }
    }

    var reason: Reason
    var offset: Int32

    init(_ reason: Reason, at offset: Int) {
        self.reason = reason
        self.offset = Int32(truncatingIfNeeded: offset)
    }

    /// The public error, with the byte found at the offset for context.
    func decodingError(payload: UnsafeBufferPointer<UInt8>, count: Int, maxDepth: Int) -> EventDecodingError {
        let kind: EventDecodingError.Kind =
            switch reason {
            case .invalidUTF8: .invalidUTF8
            case .tooDeep: .tooDeep
            default: .invalidJSON
            }
        let offset = Int(self.offset)
        var message = reason == .tooDeep ? "nesting deeper than \(maxDepth) levels" : reason.message
        if offset >= count {
            message = "unexpected end of input: " + message
        } else if kind == .invalidJSON {
            let byte = payload[offset]
            message +=
                byte >= 0x20 && byte < 0x7F
                ? ", found '\(Character(Unicode.Scalar(byte)))'" : ", found byte 0x\(String(byte, radix: 16))"
        }
        return EventDecodingError(kind: kind, byteOffset: min(offset, count), message: message)
    }
}
