import Foundation

@testable import EventModel
@testable import EventModelTesting

/// Shared helpers for the decoder tests.
enum DecodingTestSupport {
    static let decoder = EnrichedEventDecoder()
    /// Foundation's nesting limit, for comparing with the reference without the depth difference.
    static let foundationDepthDecoder = EnrichedEventDecoder(maxDepth: 512)
    static let reference = ReferenceEnrichedEventDecoder()
    /// Each object's members as the schema lists them (the order `ExpectedMemberKey` guesses in).
    static let membersInSchemaOrder: [(EventField.Scope, [EventField])] = [
        (.event, [
            .eventID, .requestID, .eventType, .timestamp, .userID, .sessionID, .pageURL, .eventData, .clientInfo,
            .serviceInfo, .processingInfo,
        ]),
        (.clientInfo, [.userAgent, .screenResolution, .language]),
        (.serviceInfo, [.serviceName, .serviceVersion, .environment]),
        (.processingInfo, [.receivedAt, .processedAt, .processingMs]),
    ]

    static func decode(_ text: String) -> Result<EnrichedEvent, EventDecodingError> {
        Result { () throws(EventDecodingError) in try decoder.decode(Array(text.utf8)) }
    }

    static func errorClass(_ bytes: [UInt8], using decoder: EnrichedEventDecoder = decoder) -> String? {
        do {
            _ = try decoder.decode(bytes)
            return nil
        } catch {
            return error.errorClass
        }
    }

    /// Error classes Foundation can tell apart: it reports malformed JSON, bad UTF-8 and excess depth alike.
    static func comparableClass(_ errorClass: String?) -> String {
        switch errorClass {
        case nil: "accepted"
        case "invalid_json", "invalid_utf8", "too_deep": "malformed"
        case let other?: other
        }
    }

    /// `event_data` as Foundation reads it, for comparing our raw copy with the reference's tree.
    static func tree(_ raw: RawJSON?) throws -> [String: JSONValue]? {
        guard let raw else { return nil }
        return try JSONDecoder().decode([String: JSONValue].self, from: Data(raw.bytes))
    }

    /// Differences between our decoding and the reference's, empty when they agree on every member.
    static func differences(_ ours: EnrichedEvent, _ theirs: ReferenceEnrichedEvent) -> [String] {
        var differences: [String] = []
        func check<T: Equatable>(_ name: String, _ a: T, _ b: T) {
            if a != b { differences.append("\(name): \(a) != \(b)") }
        }
        check("event_id", ours.eventID, theirs.eventID)
        check("request_id", ours.requestID, theirs.requestID)
        check("event_type", ours.eventType, theirs.eventType)
        check("timestamp", ours.timestamp, theirs.timestamp)
        check("user_id", ours.userID, theirs.userID)
        check("session_id", ours.sessionID, theirs.sessionID)
        check("page_url", ours.pageURL, theirs.pageURL)
        check("client_info", ours.clientInfo, theirs.clientInfo)
        check("service_info", ours.serviceInfo, theirs.serviceInfo)
        check("processing_info", ours.processingInfo, theirs.processingInfo)
        do {
            check("event_data", try tree(ours.eventData), theirs.eventData)
        } catch {
            differences.append("event_data: our raw JSON does not read back: \(error)")
        }
        return differences
    }

    /// Documents Foundation's `JSONDecoder` accepts although they are not valid JSON (RFC 8259): it does not
    /// validate members it skips, and it allows trailing commas. `JSONSerialization` rejects the former.
    static func isInvalidJSONFoundationAccepts(_ bytes: [UInt8]) -> Bool {
        if (try? JSONSerialization.jsonObject(with: Data(bytes))) == nil { return true }
        return hasTrailingComma(bytes)
    }

    /// True if JSON text has a number (outside strings) that overflows a Double or underflows it to zero.
    static func containsNumberBeyondDouble(_ bytes: [UInt8]) -> Bool {
        var inString = false
        var escaped = false
        var number = ""
        func numberIsBeyondDouble() -> Bool {
            defer { number = "" }
            guard !number.isEmpty, let value = Double(number) else { return false }
            let mantissa = number.prefix { $0 != "e" && $0 != "E" }
            return value.isInfinite || (value == 0 && mantissa.contains { ("1"..."9").contains($0) })
        }
        for byte in bytes {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            let character = Character(Unicode.Scalar(byte))
            if "0123456789+-.eE".contains(character) {
                number.append(character)
            } else {
                if numberIsBeyondDouble() { return true }
                if byte == UInt8(ascii: "\"") { inString = true }
            }
        }
        return numberIsBeyondDouble()
    }

    /// True if a `,` is followed (after whitespace) by `}` or `]` outside strings.
    static func hasTrailingComma(_ bytes: [UInt8]) -> Bool {
        var inString = false
        var escaped = false
        var pendingComma = false
        for byte in bytes {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true; pendingComma = false
            case UInt8(ascii: ","): pendingComma = true
            case UInt8(ascii: "}"), UInt8(ascii: "]"): if pendingComma { return true }
            case 0x20, 0x09, 0x0A, 0x0D: break
            default: pendingComma = false
            }
        }
        return false
    }
}
