import Foundation
import Logging
import Testing

@testable import ProcessingCore

/// Issue 11, item 10: what a producer puts in an event cannot forge, colour or bloat a log line.
@Suite("Log safety: wire values escaped and cut in both formats")
struct LogStringEscapingTests {
    static let forged = "page_view\n2026-01-01 00:00:00 - ProcessingService - CRITICAL - FAKE"

    static func logged(_ format: LogFormat, message: String, metadata: Logger.Metadata = [:]) -> [String] {
        let writer = CapturingLogWriter()
        LoggingSetup.makeLogger(format: format, level: .info, writer: writer).info("\(message)", metadata: metadata)
        return writer.lines
    }

    @Test("text: a newline in the message is shown as \\n, never starts a line of its own")
    func textNewline() {
        let lines = Self.logged(.text, message: "Processing event: " + Self.forged, metadata: ["event_type": "\(Self.forged)"])
        #expect(lines.count == 1)
        #expect(lines[0].contains(#" - INFO - Processing event: page_view\n2026-01-01 00:00:00 - ProcessingService - CRITICAL - FAKE "#))
        #expect(lines[0].contains(#"event_type="page_view\n2026-01-01"#))
    }

    @Test(
        "text and JSON: C0, DEL, C1 and bidi controls are written as escapes",
        arguments: [
            ("\u{1B}[31m", #"\u001b[31m"#), ("\u{7F}", #"\u007f"#), ("\u{9B}2J", #"\u009b2J"#),
            ("\u{202E}txt", #"\u202etxt"#), ("\u{2066}", #"\u2066"#), ("\u{2028}", #"\u2028"#), ("a\rb", #"a\rb"#),
        ]
    )
    func controlsVisible(raw: String, shown: String) throws {
        let text = try #require(Self.logged(.text, message: "m " + raw).first)
        #expect(text.hasSuffix(" - m " + shown), "\(text)")
        let json = try #require(Self.logged(.json, message: "m " + raw, metadata: ["v": "\(raw)"]).first)
        #expect(json.contains(#""message":"m "# + shown + #"""#), "\(json)")
        #expect(json.contains(#""v":""# + shown + #"""#), "\(json)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["message"] as? String == "m " + raw, "the JSON still decodes to the exact value")
    }

    @Test("printable non-ASCII text is left alone; only the listed code points of U+0080–U+2FFF are escaped")
    func printableUnicodeUntouched() throws {
        let sample = "café – naïve “quoted” € 日本 \u{00A0}© …"
        let text = try #require(Self.logged(.text, message: sample).first)
        #expect(text.hasSuffix(" - " + sample))
        let json = try #require(Self.logged(.json, message: sample).first)
        #expect(json.contains(#""message":""# + sample + #"""#))
    }

    @Test("a message is cut to 4 KiB and each metadata value to 1 KiB, on a character boundary, saying so")
    func truncation() throws {
        let huge = String(repeating: "é", count: 300_000)  // 600,000 bytes, two per character
        for format in LogFormat.allCases {
            let line = try #require(Self.logged(format, message: huge, metadata: ["event_type": "\(huge)"]).first)
            #expect(line.utf8.count < 4096 + 1024 + 300, "\(format): \(line.utf8.count) bytes")
            #expect(line.contains(String(repeating: "é", count: 2048) + "…[truncated from 600000 bytes]"))
            #expect(line.contains(String(repeating: "é", count: 512) + "…[truncated from 600000 bytes]\""))
            #expect(!line.contains("\u{FFFD}"), "no character was split")
        }
    }

    @Test("values that fit are written whole; a value exactly at the limit is not marked")
    func atTheLimit() throws {
        let exact = String(repeating: "a", count: LogStringEscaping.metadataValueLimit)
        let line = try #require(Self.logged(.text, message: "m", metadata: ["v": "\(exact)"]).first)
        #expect(line.hasSuffix(" v=" + exact))
    }
}
