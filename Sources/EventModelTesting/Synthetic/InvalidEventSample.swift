import EventModel
/// A record value that must not decode, with the `dlq.error.class` the pipeline is expected to give it.
/// Used by dead-letter and decoder tests; ``SyntheticEventGenerator/invalidSamples()`` lists one or more per
/// error class.
public struct InvalidEventSample: Sendable, Hashable {
    /// The expected error class: one of ``EventDecodingError/Kind``'s raw values, or `tombstone` for a
    /// nil value (which the pipeline classifies before decoding).
    public var errorClass: String
    /// What is wrong with the value, for test failure messages.
    public var summary: String
    /// The record value; nil is a tombstone.
    public var value: [UInt8]?

    public init(errorClass: String, summary: String, value: [UInt8]?) {
        self.errorClass = errorClass
        self.summary = summary
        self.value = value
    }
}

extension SyntheticEventGenerator {
    /// Values covering every way a record can fail to decode, each with its expected error class.
    public static func invalidSamples() -> [InvalidEventSample] {
        let validTail = #""event_type":"page_view","timestamp":"2024-01-15T10:30:45Z"}"#
        func sample(_ errorClass: String, _ summary: String, _ text: String) -> InvalidEventSample {
            InvalidEventSample(errorClass: errorClass, summary: summary, value: Array(text.utf8))
        }
        var samples: [InvalidEventSample] = [
            InvalidEventSample(errorClass: "tombstone", summary: "null record value", value: nil),
            InvalidEventSample(errorClass: "empty_value", summary: "zero-length value", value: []),
            sample("invalid_json", "not JSON at all", "this is not json"),
            sample("invalid_json", "truncated document", #"{"event_id":"e1","event_type":"page_vi"#),
            sample("invalid_json", "trailing comma", #"{"event_id":"e1",\#(validTail.dropLast()),}"#),
            sample("invalid_json", "bad escape in an unknown field", #"{"event_id":"e1","note":"\q",\#(validTail)"#),
            sample("invalid_json", "trailing garbage", #"{"event_id":"e1",\#(validTail) x"#),
            sample("invalid_json", "whitespace only", "   \n"),
            sample("not_an_object", "top-level array", #"[{"event_id":"e1"}]"#),
            sample("not_an_object", "top-level string", #""page_view""#),
            sample("not_an_object", "top-level null", "null"),
            sample("missing_field", "no event_id", "{" + validTail),
            sample("missing_field", "event_type is null", #"{"event_id":"e1","event_type":null,"timestamp":"2024-01-15T10:30:45Z"}"#),
            sample("wrong_type", "event_id is a number", #"{"event_id":42,\#(validTail)"#),
            sample("wrong_type", "client_info is a string", #"{"event_id":"e1","client_info":"x",\#(validTail)"#),
            sample("wrong_type", "processing_ms is a string", #"{"event_id":"e1","processing_info":{"processing_ms":"5"},\#(validTail)"#),
            sample("invalid_timestamp", "not a date", #"{"event_id":"e1","event_type":"x","timestamp":"yesterday"}"#),
            sample("invalid_timestamp", "February 30th", #"{"event_id":"e1","event_type":"x","timestamp":"2024-02-30T10:30:45Z"}"#),
            sample("invalid_timestamp", "hour 24", #"{"event_id":"e1","event_type":"x","timestamp":"2024-01-15T24:00:00Z"}"#),
            sample("invalid_timestamp", "no offset", #"{"event_id":"e1","event_type":"x","timestamp":"2024-01-15T10:30:45"}"#),
        ]
        var badUTF8 = Array(#"{"event_id":"e1","user_id":"caf"#.utf8)
        badUTF8 += [0xC3, 0x28]  // 0xC3 must be followed by a continuation byte
        badUTF8 += Array(#"",\#(validTail)"#.utf8)
        samples.append(InvalidEventSample(errorClass: "invalid_utf8", summary: "invalid UTF-8 in a string", value: badUTF8))
        var overlong = Array(#"{"event_id":"e1","note":""#.utf8)
        overlong += [0xC0, 0xAF]  // overlong encoding of "/"
        overlong += Array(#"",\#(validTail)"#.utf8)
        samples.append(InvalidEventSample(errorClass: "invalid_utf8", summary: "overlong UTF-8 in an unknown field", value: overlong))
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        samples.append(sample("too_deep", "10,000 nested arrays in event_data", #"{"event_id":"e1","event_data":\#(deep),\#(validTail)"#))
        return samples
    }
}
