/// The members of an `EnrichedEvent` document the decoder knows, in the order the reference Codable model
/// declares (and therefore decodes) them.
///
/// The raw value is that order. When a document has several semantic problems (a missing field, a wrong
/// type, a bad timestamp) the decoder reports the one with the lowest order, which is the one Foundation's
/// `JSONDecoder` would stop at — so both decoders agree on the error class, not only on rejecting.
enum EventField: UInt8, CaseIterable, Sendable {
    case eventID = 0
    case requestID
    case eventType
    case timestamp
    case userID
    case sessionID
    case pageURL
    case eventData
    case clientInfo
    case userAgent
    case screenResolution
    case language
    case serviceInfo
    case serviceName
    case serviceVersion
    case environment
    case processingInfo
    case receivedAt
    case processedAt
    case processingMs

    /// The member's path in the JSON document, as reported in errors (`client_info.user_agent`).
    var path: String {
        switch self {
        case .eventID: "event_id"
        case .requestID: "request_id"
        case .eventType: "event_type"
        case .timestamp: "timestamp"
        case .userID: "user_id"
        case .sessionID: "session_id"
        case .pageURL: "page_url"
        case .eventData: "event_data"
        case .clientInfo: "client_info"
        case .userAgent: "client_info.user_agent"
        case .screenResolution: "client_info.screen_resolution"
        case .language: "client_info.language"
        case .serviceInfo: "service_info"
        case .serviceName: "service_info.service_name"
        case .serviceVersion: "service_info.service_version"
        case .environment: "service_info.environment"
        case .processingInfo: "processing_info"
        case .receivedAt: "processing_info.received_at"
        case .processedAt: "processing_info.processed_at"
        case .processingMs: "processing_info.processing_ms"
        }
    }

    /// The member's own key (the last component of ``path``).
    var key: Substring {
        path.split(separator: ".").last ?? Substring(path)
    }

    @inline(__always) var bit: UInt32 { 1 &<< UInt32(rawValue) }

    /// Which object a member belongs to; each object's keys are matched separately.
    enum Scope {
        case event, clientInfo, serviceInfo, processingInfo
    }

    /// Identifies a key within `scope` from its unescaped UTF-8 bytes, without creating a `String`.
    ///
    /// `word0`/`word1` are the key's bytes 0-7 and 8-15 as little-endian words and `byte16` its 17th byte
    /// (only `screen_resolution` is longer than 16); bytes beyond `length` may hold anything (the closing
    /// quote, what follows) and are masked off here, with a constant mask per length. The constants are
    /// those words for each key (checked against ``key`` by the tests); two integer comparisons per key are
    /// what keeps matching ~20 keys per event cheap enough for the decoder's budget.
    @inline(__always)
    static func match(
        scope: Scope, length: Int, word0: UInt64, word1: UInt64, byte16: UInt8
    ) -> EventField? {
        switch scope {
        case .event:
            switch length {
            case 7: return word0 & 0x00FF_FFFF_FFFF_FFFF == 0x0064_695F_7265_7375 ? .userID : nil
            case 8:
                if word0 == 0x6469_5F74_6E65_7665 { return .eventID }
                if word0 == 0x6C72_755F_6567_6170 { return .pageURL }
                return nil
            case 9: return word0 == 0x6D61_7473_656D_6974 && word1 & 0xFF == 0x70 ? .timestamp : nil
            case 10:
                switch (word0, word1 & 0xFFFF) {
                case (0x5F74_7365_7571_6572, 0x6469): return .requestID
                case (0x7974_5F74_6E65_7665, 0x6570): return .eventType
                case (0x5F6E_6F69_7373_6573, 0x6469): return .sessionID
                case (0x6164_5F74_6E65_7665, 0x6174): return .eventData
                default: return nil
                }
            case 11: return word0 == 0x695F_746E_6569_6C63 && word1 & 0xFF_FFFF == 0x6F_666E ? .clientInfo : nil
            case 12: return word0 == 0x5F65_6369_7672_6573 && word1 & 0xFFFF_FFFF == 0x6F66_6E69 ? .serviceInfo : nil
            case 15:
                return word0 == 0x6973_7365_636F_7270 && word1 & 0x00FF_FFFF_FFFF_FFFF == 0x006F_666E_695F_676E
                    ? .processingInfo : nil
            default: return nil
            }
        case .clientInfo:
            switch length {
            case 10: return word0 == 0x6567_615F_7265_7375 && word1 & 0xFFFF == 0x746E ? .userAgent : nil
            case 17:
                return word0 == 0x725F_6E65_6572_6373 && word1 == 0x6F69_7475_6C6F_7365
                    && byte16 == UInt8(ascii: "n") ? .screenResolution : nil
            case 8: return word0 == 0x6567_6175_676E_616C ? .language : nil
            default: return nil
            }
        case .serviceInfo:
            switch length {
            case 12: return word0 == 0x5F65_6369_7672_6573 && word1 & 0xFFFF_FFFF == 0x656D_616E ? .serviceName : nil
            case 15:
                return word0 == 0x5F65_6369_7672_6573 && word1 & 0x00FF_FFFF_FFFF_FFFF == 0x006E_6F69_7372_6576
                    ? .serviceVersion : nil
            case 11: return word0 == 0x6D6E_6F72_6976_6E65 && word1 & 0xFF_FFFF == 0x74_6E65 ? .environment : nil
            default: return nil
            }
        case .processingInfo:
            switch length {
            case 11: return word0 == 0x6465_7669_6563_6572 && word1 & 0xFF_FFFF == 0x74_615F ? .receivedAt : nil
            case 12: return word0 == 0x6573_7365_636F_7270 && word1 & 0xFFFF_FFFF == 0x7461_5F64 ? .processedAt : nil
            case 13:
                return word0 == 0x6973_7365_636F_7270 && word1 & 0xFF_FFFF_FFFF == 0x73_6D5F_676E ? .processingMs : nil
            default: return nil
            }
        }
    }
}
