import Foundation
import Testing

@testable import EventModel
@testable import EventModelTesting

/// `JSONStringUnescaper` on its own: the content of a validated JSON string (between the quotes) to UTF-8.
@Suite("JSON string unescaper")
struct JSONStringUnescaperTests {
    static func unescape(_ content: String) -> [UInt8] {
        Array(content.utf8).withUnsafeBufferPointer { JSONStringUnescaper.withUnescaped($0) { Array($0) } }
    }

    @Test("each escape yields its byte or scalar", arguments: [
        (#"\""#, "\""), (#"\\"#, "\\"), (#"\/"#, "/"), (#"\b"#, "\u{08}"), (#"\f"#, "\u{0C}"), (#"\n"#, "\n"),
        (#"\r"#, "\r"), (#"\t"#, "\t"), (#"\u0041"#, "A"), (#"\u00e9"#, "é"), (#"\u00E9"#, "é"), (#"\u20AC"#, "€"),
        (#"\uFFFF"#, "\u{FFFF}"), (#"\u0000"#, "\u{0}"), (#"\ud83d\ude00"#, "😀"), (#"\uD834\uDD1E"#, "𝄞"),
    ])
    func singleEscapes(escaped: String, expected: String) {
        #expect(Self.unescape(escaped) == Array(expected.utf8))
    }

    @Test("text around escapes, raw multi-byte UTF-8 and an empty string pass through unchanged")
    func mixedContent() {
        #expect(Self.unescape("") == [])
        #expect(Self.unescape(#"a\"b\\c"#) == Array(#"a"b\c"#.utf8))
        #expect(Self.unescape(#"Grüße \u2014 日本 \ud83d\ude00!"#) == Array("Grüße — 日本 😀!".utf8))
        #expect(Self.unescape(#"\\u0041"#) == Array(#"\u0041"#.utf8), "an escaped backslash does not start an escape")
        #expect(Self.unescape(#"end\n"#) == Array("end\n".utf8))
    }

    /// Escapes `text` as a JSON encoder might: some scalars as `\uXXXX` (surrogate pairs above U+FFFF,
    /// mixed-case hex), the rest raw, quotes and backslashes always escaped.
    static func escape(_ text: String, random: inout SplitMix64) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": escaped += #"\""#
            case "\\": escaped += #"\\"#
            case "\n": escaped += #"\n"#
            case _ where scalar.value < 0x20 || random.next(below: 3) == 0:
                let units = String(scalar).utf16.map { String($0, radix: 16, uppercase: random.next(below: 2) == 0) }
                escaped += units.map { #"\u"# + String(repeating: "0", count: 4 - $0.count) + $0 }.joined()
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    @Test("random strings, escaped at random, unescape to their UTF-8 and agree with JSONSerialization")
    func differentialAgainstFoundation() throws {
        var random = SplitMix64(seed: 0x5E5C)
        let alphabet: [Unicode.Scalar] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{01}", "\u{7F}", "é", "ß",
                                          "€", "\u{FFFD}", "日", "😀", "𝄞", "\u{10FFFF}"]
        for _ in 0..<500 {
            let length = random.next(below: 24)
            var text = String.UnicodeScalarView()
            for _ in 0..<length { text.append(alphabet[random.next(below: alphabet.count)]) }
            let original = String(text)
            let escaped = Self.escape(original, random: &random)
            #expect(Self.unescape(escaped) == Array(original.utf8), "\(escaped)")
            let foundation = try JSONSerialization.jsonObject(with: Data("\"\(escaped)\"".utf8), options: .fragmentsAllowed) as? String
            #expect(foundation == original, "\(escaped)")
        }
    }
}
