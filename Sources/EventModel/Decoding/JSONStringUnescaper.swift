/// Turns the content of an already validated JSON string (between the quotes) into its UTF-8 bytes.
///
/// Only reached for strings that contain a backslash; validation (``JSONValidatingScanner/scanEscape()``)
/// has already guaranteed every escape is well-formed and surrogates are paired, so this never fails.
enum JSONStringUnescaper {
    /// Calls `body` with the unescaped UTF-8 bytes of `content` (validated JSON string content).
    static func withUnescaped<R>(
        _ content: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> R
    ) -> R {
        // Unescaping never lengthens: `\uXXXX` (6 bytes) yields at most 3, a pair (12 bytes) yields 4.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(content.count, 1)) { output in
            var written = 0
            var index = 0
            let input = content
            while index < input.count {
                let byte = input[index]
                guard byte == UInt8(ascii: "\\") else {
                    output[written] = byte
                    written += 1
                    index += 1
                    continue
                }
                let escaped = input[index + 1]
                index += 2
                let simple: UInt8
                switch escaped {
                case UInt8(ascii: "b"): simple = 0x08
                case UInt8(ascii: "f"): simple = 0x0C
                case UInt8(ascii: "n"): simple = 0x0A
                case UInt8(ascii: "r"): simple = 0x0D
                case UInt8(ascii: "t"): simple = 0x09
                case UInt8(ascii: "u"):
                    var scalar = UInt32(hexValue(input, at: index))
                    index += 4
                    if scalar >= 0xD800 && scalar <= 0xDBFF {
                        let low = UInt32(hexValue(input, at: index + 2))
                        index += 6
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    // Validation rejected lone surrogates, so `scalar` is a valid Unicode scalar value.
                    written += encodeUTF8(scalar, into: output, at: written)
                    continue
                default: simple = escaped  // '"', '\\', '/'
                }
                output[written] = simple
                written += 1
            }
            return body(UnsafeBufferPointer(rebasing: output[0..<written]))
        }
    }

    /// Writes `scalar` as UTF-8 at `offset`; returns the number of bytes written.
    private static func encodeUTF8(_ scalar: UInt32, into output: UnsafeMutableBufferPointer<UInt8>, at offset: Int) -> Int {
        switch scalar {
        case 0..<0x80:
            output[offset] = UInt8(scalar)
            return 1
        case 0x80..<0x800:
            output[offset] = UInt8(0xC0 | scalar >> 6)
            output[offset + 1] = UInt8(0x80 | scalar & 0x3F)
            return 2
        case 0x800..<0x10000:
            output[offset] = UInt8(0xE0 | scalar >> 12)
            output[offset + 1] = UInt8(0x80 | scalar >> 6 & 0x3F)
            output[offset + 2] = UInt8(0x80 | scalar & 0x3F)
            return 3
        default:
            output[offset] = UInt8(0xF0 | scalar >> 18)
            output[offset + 1] = UInt8(0x80 | scalar >> 12 & 0x3F)
            output[offset + 2] = UInt8(0x80 | scalar >> 6 & 0x3F)
            output[offset + 3] = UInt8(0x80 | scalar & 0x3F)
            return 4
        }
    }

    private static func hexValue(_ input: UnsafeBufferPointer<UInt8>, at index: Int) -> UInt16 {
        var value: UInt16 = 0
        for offset in 0..<4 {
            let byte = input[index + offset]
            let digit: UInt8 =
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
                default: byte - UInt8(ascii: "A") + 10
                }
            value = value << 4 | UInt16(digit)
        }
        return value
    }
}
