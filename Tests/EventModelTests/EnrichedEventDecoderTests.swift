import Foundation
import Testing

@testable import EventModel
@testable import EventModelTesting

@Suite struct EnrichedEventDecoderTests {
    typealias Support = DecodingTestSupport

    static let seedExample = #"""
        {
          "event_id": "3f2b8c1e-7d4a-4b9e-9c1f-2a6d8e0b5c73",
          "request_id": "9a1c0b7e-1111-4a2b-8c3d-4e5f6a7b8c9d",
          "event_type": "page_view",
          "timestamp": "2024-01-15T10:30:45Z",
          "user_id": "user-123",
          "session_id": "session-456",
          "page_url": "https://example.com",
          "event_data": {
            "button_clicked": "submit",
            "form_data": {"field1": "value1"}
          },
          "client_info": {
            "user_agent": "Mozilla/5.0...",
            "screen_resolution": "1920x1080",
            "language": "en-US"
          },
          "service_info": {
            "service_name": "ingestion-service",
            "service_version": "1.0.0",
            "environment": "development"
          },
          "processing_info": {
            "received_at": "2024-01-15T10:30:45Z",
            "processed_at": "2024-01-15T10:30:45Z",
            "processing_ms": 5
          }
        }
        """#

    @Test func decodesTheSeedExampleWithEveryMember() throws {
        let event = try Support.decode(Self.seedExample).get()
        #expect(event.eventID == "3f2b8c1e-7d4a-4b9e-9c1f-2a6d8e0b5c73")
        #expect(event.requestID == "9a1c0b7e-1111-4a2b-8c3d-4e5f6a7b8c9d")
        #expect(event.eventType == "page_view")
        #expect(event.timestamp == EventTimestamp(secondsSinceEpoch: 1_705_314_645))
        #expect(event.userID == "user-123")
        #expect(event.sessionID == "session-456")
        #expect(event.pageURL == "https://example.com")
        let eventData = try #require(event.eventData)
        #expect(eventData.text.hasPrefix(#"{\#n    "button_clicked": "submit","#))
        #expect(eventData.text.hasSuffix("}\n  }"))
        #expect(
            event.clientInfo
                == ClientInfo(userAgent: "Mozilla/5.0...", screenResolution: "1920x1080", language: "en-US"))
        #expect(
            event.serviceInfo
                == ServiceInfo(serviceName: "ingestion-service", serviceVersion: "1.0.0", environment: "development"))
        #expect(
            event.processingInfo
                == ProcessingInfo(
                    receivedAt: "2024-01-15T10:30:45Z", processedAt: "2024-01-15T10:30:45Z", processingMs: 5))
        #expect(Support.differences(event, try Support.reference.decode(Array(Self.seedExample.utf8))).isEmpty)
    }

    @Test func decodesAMinimalEvent() throws {
        let event = try Support.decode(#"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z"}"#).get()
        #expect(event.eventID == "e")
        #expect(event.eventType == "t")
        #expect(event.requestID == nil && event.userID == nil && event.sessionID == nil && event.pageURL == nil)
        #expect(event.eventData == nil && event.clientInfo == nil && event.serviceInfo == nil)
        #expect(event.processingInfo == nil)
    }

    @Test func treatsNullOptionalMembersAsAbsentAndKeepsEmptyObjects() throws {
        let event = try Support.decode(
            #"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z","user_id":null,"#
                + #""event_data":null,"client_info":{},"service_info":null,"#
                + #""processing_info":{"processing_ms":null,"received_at":null}}"#
        ).get()
        #expect(event.userID == nil)
        #expect(event.eventData == nil)
        #expect(event.clientInfo == ClientInfo())
        #expect(event.serviceInfo == nil)
        #expect(event.processingInfo == ProcessingInfo())
    }

    @Test func ignoresUnknownMembersAndTakesTheFirstOfDuplicates() throws {
        let event = try Support.decode(
            #"{"extra":[1,{"a":[true,false,null]},-0.5e-7],"event_id":"first","event_type":"t","#
                + #""timestamp":"2024-01-15T10:30:45Z","event_id":"second","event_id":42,"#
                + #""client_info":{"user_agent":"ua","user_agent":7,"other":{}},"nested":{"event_id":"x"}}"#
        ).get()
        #expect(event.eventID == "first")
        #expect(event.clientInfo?.userAgent == "ua")
    }

    @Test func unescapesStringsAndMemberNames() throws {
        let event = try Support.decode(
            #"{"event\u005fid":"a\"b\\c\/d\b\f\n\r\t\u00e9\u20AC\ud83d\ude00","event_type":"caf\u00E9","#
                + #""timestamp":"\u0032024-01-15T10:30:45Z","user_id":"ü日本😀","client_info":{"screen\u005fresolution":"1x1"}}"#
        ).get()
        #expect(event.eventID == "a\"b\\c/d\u{08}\u{0C}\n\r\té€😀")
        #expect(event.eventType == "café")
        #expect(event.timestamp == EventTimestamp(secondsSinceEpoch: 1_705_314_645))
        #expect(event.userID == "ü日本😀")
        #expect(event.clientInfo?.screenResolution == "1x1")
    }

    @Test(arguments: [
        ("5", 5), ("0", 0), ("-0", 0), ("-17", -17), ("9223372036854775807", Int.max),
        ("-9223372036854775808", Int.min), ("5.0", 5), ("5e0", 5), ("0.5e1", 5), ("50E-1", 5),
        ("1e-400", 0), ("-0.0", 0), ("9007199254740991.0", 9_007_199_254_740_991),
    ])
    func readsProcessingMsLikeFoundation(text: String, value: Int) throws {
        let json = #"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z","processing_info":{"processing_ms":\#(text)}}"#
        #expect(try Support.decode(json).get().processingInfo?.processingMs == value)
        #expect(try Support.reference.decode(Array(json.utf8)).processingInfo?.processingMs == value)
    }

    @Test(arguments: ["5.5", "9223372036854775808", "-9223372036854775809", "1e19", "1e400", "-1e400", "0.1"])
    func rejectsProcessingMsThatIsNotAnInt(text: String) {
        let json = #"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z","processing_info":{"processing_ms":\#(text)}}"#
        #expect(Support.errorClass(Array(json.utf8)) == "wrong_type")
        #expect(Support.comparableClass(Support.errorClass(Array(json.utf8))) == "wrong_type")
        #expect(throws: EventDecodingError.self) { try Support.reference.decode(Array(json.utf8)) }
    }

    @Test func acceptsNumbersAtTheLimitsInEventData() throws {
        let json = #"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z","event_data":{"#
            + #""a":1.7976931348623157e308,"b":-2.2250738585072014e-308,"c":4.9e-324,"d":123456789012345678901234567890,"#
            + #""e":-0,"f":0.0e+0,"g":1E+2,"h":1e400}}"#
        let event = try Support.decode(json).get()
        #expect(event.eventData?.text.contains(#""h":1e400"#) == true)
    }

    @Test func skipsAUTF8ByteOrderMarkAndSurroundingWhitespace() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(" \t\r\n{\"event_id\":\"e\",\"event_type\":\"t\",\"timestamp\":\"2024-01-15T10:30:45Z\"}\n ".utf8)
        #expect(try Support.decoder.decode(bytes).eventID == "e")
    }

    @Test func decodesFromAnUnsafeBufferAndOwnsItsCopy() throws {
        var bytes = Array(#"{"event_id":"abc","event_type":"t","timestamp":"2024-01-15T10:30:45Z"}"#.utf8)
        let event = try bytes.withUnsafeBytes { raw throws(EventDecodingError) in try Support.decoder.decode(raw) }
        bytes.replaceSubrange(13..<16, with: Array("xyz".utf8))
        #expect(event.eventID == "abc")
    }

    // MARK: Invalid values

    @Test func classifiesEveryInvalidSample() {
        for sample in SyntheticEventGenerator.invalidSamples() {
            guard let value = sample.value else { continue }  // tombstones are the pipeline's to classify
            #expect(Support.errorClass(value) == sample.errorClass, "\(sample.summary)")
        }
    }

    @Test(arguments: [
        ("", "empty_value", nil),
        ("   ", "invalid_json", nil),
        ("{", "invalid_json", nil),
        (#"{"event_id":"e""#, "invalid_json", nil),
        (#"{"event_id":"e",}"#, "invalid_json", nil),
        (#"{"event_id":"e" "x":1}"#, "invalid_json", nil),
        (#"{"event_id":"e","x":[1,]}"#, "invalid_json", nil),
        (#"{"event_id":"e","x":01}"#, "invalid_json", nil),
        (#"{"event_id":"e","x":1.}"#, "invalid_json", nil),
        (#"{"event_id":"e","x":-}"#, "invalid_json", nil),
        (#"{"event_id":"e","x":1e}"#, "invalid_json", nil),
        (#"{"event_id":"e","x":.5}"#, "invalid_json", nil),
        (#"{"event_id":"e","x":+1}"#, "invalid_json", nil),
        (#"{"event_id":"e","x":NaN}"#, "invalid_json", nil),
        (#"{"event_id":"e","x":tru}"#, "invalid_json", nil),
        (#"{"event_id":"e","x":nul}"#, "invalid_json", nil),
        (#"{"event_id":"e","x":"\x"}"#, "invalid_json", nil),
        (#"{"event_id":"e","x":"\u12G4"}"#, "invalid_json", nil),
        (#"{"event_id":"e","x":"\ud800"}"#, "invalid_json", nil),
        (#"{"event_id":"e","x":"\udc00\ud800"}"#, "invalid_json", nil),
        (#"{"event_id":"e","x":"\ud800\u0041"}"#, "invalid_json", nil),
        (#"{'event_id':"e"}"#, "invalid_json", nil),
        (#"{"event_id":"e"} {}"#, "invalid_json", nil),
        (#"{"event_id":"e"}/**/"#, "invalid_json", nil),
        ("[1,2]", "not_an_object", nil),
        ("42", "not_an_object", nil),
        ("true", "not_an_object", nil),
        (#""x""#, "not_an_object", nil),
        (#"{"event_type":"t","timestamp":"2024-01-15T10:30:45Z"}"#, "missing_field", "event_id"),
        (#"{"event_id":null,"event_type":"t","timestamp":"2024-01-15T10:30:45Z"}"#, "missing_field", "event_id"),
        (#"{"event_id":"e","timestamp":"2024-01-15T10:30:45Z"}"#, "missing_field", "event_type"),
        (#"{"event_id":"e","event_type":"t"}"#, "missing_field", "timestamp"),
        (#"{"event_id":"e","event_type":"t","timestamp":null}"#, "missing_field", "timestamp"),
        (#"{"event_id":1,"event_type":"t","timestamp":"2024-01-15T10:30:45Z"}"#, "wrong_type", "event_id"),
        (#"{"event_id":"e","event_type":["t"],"timestamp":"2024-01-15T10:30:45Z"}"#, "wrong_type", "event_type"),
        (#"{"event_id":"e","event_type":"t","timestamp":1705314645}"#, "wrong_type", "timestamp"),
        (#"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z","user_id":false}"#, "wrong_type", "user_id"),
        (#"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z","event_data":"x"}"#, "wrong_type", "event_data"),
        (#"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z","event_data":[]}"#, "wrong_type", "event_data"),
        (#"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z","client_info":[]}"#, "wrong_type", "client_info"),
        (#"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z","client_info":{"language":1}}"#, "wrong_type", "client_info.language"),
        (#"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z","service_info":{"environment":{}}}"#, "wrong_type", "service_info.environment"),
        (#"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z","processing_info":{"processing_ms":"5"}}"#, "wrong_type", "processing_info.processing_ms"),
        (#"{"event_id":"e","event_type":"t","timestamp":"2024-01-15"}"#, "invalid_timestamp", "timestamp"),
        (#"{"event_id":"e","event_type":"t","timestamp":"2023-02-29T00:00:00Z"}"#, "invalid_timestamp", "timestamp"),
        // The first problem in member order wins, as with Foundation.
        (#"{"timestamp":"bad","event_type":5}"#, "missing_field", "event_id"),
        (#"{"event_id":"e","timestamp":"bad","event_type":5}"#, "wrong_type", "event_type"),
        (#"{"event_id":"e","event_type":"t","timestamp":"bad","client_info":5}"#, "invalid_timestamp", "timestamp"),
        // Malformed JSON anywhere beats any semantic problem.
        (#"{"event_id":5,"x":01}"#, "invalid_json", nil),
    ] as [(String, String, String?)])
    func rejectsWithClassAndField(text: String, errorClass: String, field: String?) throws {
        let error = try #require(Support.decode(text).failure)
        #expect(error.errorClass == errorClass, "\(error)")
        #expect(error.field == field, "\(error)")
        #expect(!error.message.isEmpty)
        // Foundation rejects these too (with the same class where it can tell), except the invalid JSON it
        // lets through in members it skips (documented on EnrichedEventDecoder).
        let bytes = Array(text.utf8)
        let referenceClass = Support.errorClass(forReference: bytes)
        if Support.comparableClass(referenceClass) != Support.comparableClass(errorClass) {
            #expect(errorClass == "invalid_json", "reference: \(referenceClass ?? "accepted")")
            #expect(Support.isInvalidJSONFoundationAccepts(bytes), "reference: \(referenceClass ?? "accepted")")
        }
    }

    @Test func rejectsInvalidUTF8Everywhere() {
        let prefix = Array(#"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z","x":""#.utf8)
        let suffix = Array(#""}"#.utf8)
        let invalidSequences: [[UInt8]] = [
            [0x80], [0xBF], [0xC0, 0x80], [0xC1, 0xBF], [0xC2], [0xC2, 0x41], [0xE0, 0x80, 0x80], [0xE0, 0x9F, 0xBF],
            [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xEF, 0xBF], [0xF0, 0x80, 0x80, 0x80], [0xF0, 0x8F, 0xBF, 0xBF],
            [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFE], [0xFF], [0xF0, 0x9F, 0x98],
        ]
        for sequence in invalidSequences {
            #expect(Support.errorClass(prefix + sequence + suffix) == "invalid_utf8", "\(sequence)")
        }
        let validSequences: [[UInt8]] = [
            [0xC2, 0x80], [0xDF, 0xBF], [0xE0, 0xA0, 0x80], [0xED, 0x9F, 0xBF], [0xEE, 0x80, 0x80],
            [0xEF, 0xBF, 0xBF], [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF],
        ]
        for sequence in validSequences {
            #expect(Support.errorClass(prefix + sequence + suffix) == nil, "\(sequence)")
        }
        // Outside strings non-ASCII bytes are simply not JSON.
        #expect(Support.errorClass([0xC3, 0xA9] + Array("{}".utf8)) == "invalid_json")
        // UTF-16 (which Foundation would transcode) is rejected.
        let utf16 = Array(#"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z"}"#.utf16)
            .flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        #expect(Support.errorClass([0xFF, 0xFE] + utf16) == "invalid_json")
    }

    @Test func rejectsControlCharactersAndTruncationInsideStrings() {
        for byte: UInt8 in 0..<0x20 {
            let bytes = Array(#"{"event_id":"e"#.utf8) + [byte] + Array(#"","event_type":"t","timestamp":"2024-01-15T10:30:45Z"}"#.utf8)
            #expect(Support.errorClass(bytes) == "invalid_json", "byte \(byte)")
        }
        let event = Array(#"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z","x":"\u0000 \u001f"}"#.utf8)
        #expect(Support.errorClass(event) == nil)
        for length in 1..<event.count {
            #expect(Support.errorClass(Array(event[0..<length])) == "invalid_json", "prefix \(length)")
        }
    }

    @Test func limitsNestingDepth() {
        func document(depth: Int) -> [UInt8] {
            // The top-level object is level 1; `event_data` adds one; the rest are arrays.
            Array(
                (#"{"event_id":"e","event_type":"t","timestamp":"2024-01-15T10:30:45Z","event_data":{"a":"#
                    + String(repeating: "[", count: depth - 2) + String(repeating: "]", count: depth - 2) + "}}").utf8)
        }
        #expect(Support.errorClass(document(depth: 64)) == nil)
        #expect(Support.errorClass(document(depth: 65)) == "too_deep")
        #expect(Support.errorClass(document(depth: 512), using: Support.foundationDepthDecoder) == nil)
        #expect(Support.errorClass(document(depth: 513), using: Support.foundationDepthDecoder) == "too_deep")
        #expect(Support.errorClass(forReference: document(depth: 512)) == nil)
        #expect(Support.errorClass(forReference: document(depth: 513)) == "invalid_json")
        // Deep nesting is found without recursing further than the limit.
        let deep = Array(repeating: UInt8(ascii: "["), count: 1_000_000)
        #expect(Support.errorClass(deep) == "too_deep")
    }

    @Test func errorsDescribeThemselves() throws {
        let error = try #require(Support.decode(#"{"event_id":"e","x":01}"#).failure)
        #expect(error.byteOffset == 21)
        #expect(error.description.hasPrefix("invalid_json at byte 21: "))
        let truncated = try #require(Support.decode(#"{"event_id":"#).failure)
        #expect(truncated.message.hasPrefix("unexpected end of input"))
    }

    // MARK: Values, not decoding

    @Test func memberwiseEventsEqualDecodedOnes() throws {
        let decoded = try Support.decode(Self.seedExample).get()
        let made = EnrichedEvent(
            eventID: decoded.eventID, eventType: decoded.eventType, timestamp: decoded.timestamp,
            requestID: decoded.requestID, userID: decoded.userID, sessionID: decoded.sessionID,
            pageURL: decoded.pageURL, eventData: decoded.eventData, clientInfo: decoded.clientInfo,
            serviceInfo: decoded.serviceInfo, processingInfo: decoded.processingInfo)
        #expect(made == decoded)
        #expect(made.eventData?.bytes == decoded.eventData?.bytes)
        var other = made.processingInfo
        other?.processingMs = 6
        #expect(
            EnrichedEvent(eventID: "x", eventType: "t", timestamp: made.timestamp, processingInfo: other)
                != made)
    }

    @Test func rawJSONValidates() throws {
        #expect(try RawJSON(validating: #" {"a":[1,2,{"b":null}]} "#).text == #" {"a":[1,2,{"b":null}]} "#)
        #expect(throws: EventDecodingError.self) { try RawJSON(validating: "[1]") }
        #expect(throws: EventDecodingError.self) { try RawJSON(validating: #"{"a":01}"#) }
        #expect(throws: EventDecodingError.self) { try RawJSON(validating: #"{"a":1} x"#) }
    }

    @Test func memberKeyConstantsMatchTheirNames() {
        for (scope, fields) in DecodingTestSupport.membersInSchemaOrder {
            for field in fields {
                // Bytes after the key are arbitrary (closing quote, colon, value): matching must ignore them.
                var bytes = Array(field.key.utf8) + [UInt8](repeating: 0xAA, count: 24)
                let words = bytes.withUnsafeBytes { ($0.loadUnaligned(as: UInt64.self), $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self)) }
                #expect(
                    EventField.match(scope: scope, length: field.key.utf8.count, word0: words.0, word1: words.1, byte16: bytes[16])
                        == field, "\(field.key)")
                bytes[0] ^= 1
                let altered = bytes.withUnsafeBytes { ($0.loadUnaligned(as: UInt64.self), $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self)) }
                #expect(
                    EventField.match(scope: scope, length: field.key.utf8.count, word0: altered.0, word1: altered.1, byte16: bytes[16])
                        == nil)
            }
        }
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

extension DecodingTestSupport {
    static func errorClass(forReference bytes: [UInt8]) -> String? {
        do {
            _ = try reference.decode(bytes)
            return nil
        } catch {
            return error.errorClass
        }
    }
}
