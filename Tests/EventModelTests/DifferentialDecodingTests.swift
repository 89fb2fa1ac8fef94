import Foundation
import Testing

@testable import EventModel
@testable import EventModelTesting

/// Our decoder against the reference (Foundation's `JSONDecoder` into the Codable model) on generated,
/// hand-picked and mutated documents: both must accept the same documents with the same member values,
/// and reject the same documents with the same error class — except where Foundation lets through JSON
/// that is not well-formed (documented on `EnrichedEventDecoder`), which is checked to be exactly that.
@Suite struct DifferentialDecodingTests {
    typealias Support = DecodingTestSupport

    /// Compares both decoders on `bytes`; returns true if they disagree in a documented way.
    @discardableResult
    static func compare(_ bytes: [UInt8], _ context: @autoclosure () -> String) -> Bool {
        let ours = Result { () throws(EventDecodingError) in try Support.foundationDepthDecoder.decode(bytes) }
        let theirs = Result { () throws(EventDecodingError) in try Support.reference.decode(bytes) }
        switch (ours, theirs) {
        case (.success(let ours), .success(let theirs)):
            let differences = Support.differences(ours, theirs)
            #expect(differences.isEmpty, "\(differences) in \(context())")
            return false
        case (.failure(let ours), .failure(let theirs))
        where Support.comparableClass(ours.errorClass) == Support.comparableClass(theirs.errorClass):
            if ours.kind != .invalidJSON && ours.kind != .invalidUTF8 && ours.kind != .notAnObject {
                #expect(ours.field == theirs.field, "\(ours) vs \(theirs) in \(context())")
            }
            return false
        case (.failure(let ours), _) where ours.kind == .invalidJSON || ours.kind == .invalidUTF8:
            // Foundation did not see the damage (in a member it skips, or a trailing comma).
            #expect(
                Support.isInvalidJSONFoundationAccepts(bytes),
                "we reject (\(ours)), Foundation does not: \(theirs) in \(context())")
            return true
        case (.success(let ours), .failure(let theirs)) where theirs.kind == .invalidJSON:
            // A number beyond Double's range inside event_data: valid JSON, kept as text by us; Foundation
            // fails to read it as a Double and calls the whole document invalid.
            #expect(
                Support.containsNumberBeyondDouble(ours.eventData?.bytes ?? []),
                "Foundation rejects (\(theirs)) a document we accept: \(context())")
            return true
        case (.failure(let ours), .failure(let theirs))
        where ours.field == "processing_info.processing_ms" && theirs.kind == .invalidJSON:
            // A processing_ms that is no Int: Foundation reports the (valid) document as invalid JSON.
            #expect(
                (try? JSONSerialization.jsonObject(with: Data(bytes))) != nil || Support.hasTrailingComma(bytes),
                "\(context())")
            return true
        default:
            Issue.record("disagreement: ours \(ours), reference \(theirs) in \(context())")
            return false
        }
    }

    @Test func generatedEventsDecodeIdentically() {
        for seed: UInt64 in [1, 2, 3] {
            var generator = SyntheticEventGenerator(seed: seed)
            for index in 0..<1_000 {
                let event = generator.next()
                #expect(!Self.compare(event.value, "seed \(seed) event \(index)"))
                #expect(Support.errorClass(event.value) == nil)
            }
        }
    }

    @Test(arguments: [
        #"{"event_id":"","event_type":"","timestamp":"2024-01-15T10:30:45Z","user_id":"","page_url":"\u0000"}"#,
        #"{"event_id":"\"\\\/\b\f\n\r\t","event_type":"\u00e9\u00E9\u0800\uFFFF\uD7FF\uE000","timestamp":"2024-01-15T10:30:45.000000000Z"}"#,
        #"{"event_id":"\uD800\uDC00\uDBFF\uDFFF","event_type":"😀é日","timestamp":"2024-02-29T23:59:60+14:00"}"#,
        #"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z","event_data":{"a":[],"b":{},"c":[[[]]],"d":"\ud83d\ude00","e":-0.0E-0,"f":1e308,"g":2.2250738585072014e-308,"h":123456789012345678901234567890,"i":true,"j":false,"k":null,"a":"dup"}}"#,
        #"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z","event_data":{"n":1e400}}"#,
        #"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z","event_data":{"n":1e-400}}"#,
        #"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z","event_data":{"s":"\ud800"}}"#,
        #"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z","unknown":"\ud800"}"#,
        #"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z","unknown":1e400}"#,
        #"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z","unknown":[1,]}"#,
        #"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z",}"#,
        #"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z","processing_info":{"processing_ms":1.0000000000000001}}"#,
        #"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z","processing_info":{"processing_ms":-0.5}}"#,
        #"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z","processing_info":{"processing_ms":[]}}"#,
        #"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z","processing_info":null,"client_info":{"user_agent":null}}"#,
        #" { "event_id" : "e" , "event_type" : "t" , "timestamp" : "2024-01-15T10:30:45Z" } "#,
        #"{"timestamp":"2024-01-15T10:30:45Z","event_type":"t","event_id":"e","event_id":5}"#,
        #"{"event_id":5,"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z"}"#,
        #"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z","client_info":{"language":"de","language":[]}}"#,
        #"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45.1234567890123456789-23:59"}"#,
        #"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45.Z"}"#,
        #"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z\u0000"}"#,
        #"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45\u005a"}"#,
        #"{"event\u005fid":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z","client_info":{"user_agent":"a","language":"l"}}"#,
        #"{"event_id":"e","event_id":"f","event_type":"t","timestamp":"2024-01-15T10:30:45Z","request_id":"r","event_type":5}"#,
        #"{"EVENT_ID":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z"}"#,
        #"{"event_id ":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z"}"#,
        #"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z","user_id":{"a":1}}"#,
        #"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z","event_data":{}}"#,
        "[]", "null", "0", "-", "{}", #"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z"}  x"#,
    ])
    func edgeCasesDecodeIdentically(text: String) {
        Self.compare(Array(text.utf8), text)
    }

    /// Short random documents from JSON's alphabet (plus bytes that are never valid): no crash, no
    /// out-of-bounds read (run under `--sanitize=address`), and the same verdict as the reference.
    @Test func randomJSONishDocumentsAreAcceptedAndRejectedIdentically() {
        var random = SplitMix64(seed: 0xF022)
        let tokens: [String] = [
            "{", "}", "[", "]", ":", ",", " ", "\"", "\\", "\\u", "d83d", "de00", "00e9", "0", "1", "-", ".", "e", "+",
            "true", "false", "null", "\"event_id\"", "\"event_type\"", "\"timestamp\"", "\"2024-01-15T10:30:45Z\"",
            "\"client_info\"", "\"processing_ms\"", "\"processing_info\"", "\"x\"", "é", "\u{1}",
        ]
        for index in 0..<20_000 {
            var bytes: [UInt8] = []
            if random.chance(0.5) { bytes += Array(#"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z","#.utf8) }
            for _ in 0..<random.next(below: 12) {
                if random.chance(0.05) {
                    bytes.append(UInt8(truncatingIfNeeded: random.next()))
                } else {
                    bytes += Array(random.element(of: tokens).utf8)
                }
            }
            Self.compare(bytes, "random document \(index): \(bytes)")
        }
    }

    /// Random damage to valid events: bit flips, replaced/inserted/deleted bytes, truncation, duplicated
    /// ranges. Deterministic (seeded), so a failure reproduces.
    @Test func mutatedEventsAreAcceptedAndRejectedIdentically() {
        var random = SplitMix64(seed: 0xD1FF)
        var generator = SyntheticEventGenerator(seed: 99)
        let interesting: [UInt8] = Array(#"{}[]:,"\/u0123456789.eE+-tfn "#.utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xBF, 0xC0, 0xC3, 0xE2, 0xED, 0xF0, 0xF4, 0xFF]
        var rejected = 0
        var documentedDifferences = 0
        let count = 6_000
        for index in 0..<count {
            var bytes = generator.next().value
            let mutations = 1 + random.next(below: 2)
            var description = ""
            for _ in 0..<mutations {
                let position = random.next(below: bytes.count)
                switch random.next(below: 6) {
                case 0:
                    bytes[position] ^= UInt8(1 << random.next(below: 8))
                    description += "flip@\(position) "
                case 1:
                    bytes[position] = random.element(of: interesting)
                    description += "replace@\(position) "
                case 2:
                    bytes.insert(random.element(of: interesting), at: position)
                    description += "insert@\(position) "
                case 3:
                    bytes.remove(at: position)
                    description += "delete@\(position) "
                case 4:
                    bytes.removeSubrange(position...)
                    description += "truncate@\(position) "
                default:
                    let end = min(bytes.count, position + 1 + random.next(below: 40))
                    bytes.insert(contentsOf: bytes[position..<end], at: position)
                    description += "duplicate@\(position) "
                }
                if bytes.isEmpty { break }
            }
            if Support.errorClass(bytes, using: Support.foundationDepthDecoder) != nil { rejected += 1 }
            if Self.compare(bytes, "mutation \(index): \(description)\(String(decoding: bytes, as: UTF8.self))") {
                documentedDifferences += 1
            }
        }
        // The mutations must actually exercise rejection, and the documented differences must stay rare.
        #expect(rejected > count / 2)
        #expect(documentedDifferences < count / 20)
    }
}
