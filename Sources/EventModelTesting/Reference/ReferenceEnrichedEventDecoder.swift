import EventModel
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The obvious decoder: Foundation's `JSONDecoder` into a Codable model of the schema.
///
/// The yardstick for ``EnrichedEventDecoder``: differential tests check both accept and reject the same
/// documents (apart from the documented differences) with the same values and error classes, and the
/// decode benchmark compares their speed. Not meant for production use (~42k events/s).
public struct ReferenceEnrichedEventDecoder: Sendable {
    public init() {}

    /// Decodes `bytes`, mapping Foundation's errors onto ``EventDecodingError`` classes. Foundation does not
    /// tell malformed JSON from invalid UTF-8 or excessive depth: all of those come back as `invalid_json`.
    public func decode(_ bytes: [UInt8]) throws(EventDecodingError) -> ReferenceEnrichedEvent {
        guard !bytes.isEmpty else { throw EventDecodingError(kind: .emptyValue, message: "the record value is empty") }
        do {
            return try JSONDecoder().decode(ReferenceEnrichedEvent.self, from: Data(bytes))
        } catch let error as ReferenceTimestampError {
            throw EventDecodingError(kind: .invalidTimestamp, field: "timestamp", message: error.text)
        } catch let error as DecodingError {
            throw Self.classify(error)
        } catch {
            throw EventDecodingError(kind: .invalidJSON, message: "\(error)")
        }
    }

    private static func classify(_ error: DecodingError) -> EventDecodingError {
        func path(_ context: DecodingError.Context) -> String? {
            context.codingPath.isEmpty ? nil : context.codingPath.map(\.stringValue).joined(separator: ".")
        }
        switch error {
        case .dataCorrupted(let context):
            // An empty path means the document itself; a path means a value that does not fit its field.
            let field = path(context)
            return EventDecodingError(
                kind: field == nil ? .invalidJSON : .wrongType, field: field, message: context.debugDescription)
        case .keyNotFound(let key, let context):
            let field = (context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: ".")
            return EventDecodingError(kind: .missingField, field: field, message: context.debugDescription)
        case .valueNotFound(_, let context):
            let field = path(context)
            return EventDecodingError(
                kind: field == nil ? .notAnObject : .missingField, field: field, message: context.debugDescription)
        case .typeMismatch(_, let context):
            let field = path(context)
            return EventDecodingError(
                kind: field == nil ? .notAnObject : .wrongType, field: field, message: context.debugDescription)
        @unknown default:
            return EventDecodingError(kind: .invalidJSON, message: "\(error)")
        }
    }
}

struct ReferenceTimestampError: Error {
    var text: String
}

/// The schema as a plain Codable model (what the reference decoder produces).
public struct ReferenceEnrichedEvent: Sendable, Equatable, Decodable {
    public var eventID: String
    public var requestID: String?
    public var eventType: String
    public var timestamp: EventTimestamp
    public var userID: String?
    public var sessionID: String?
    public var pageURL: String?
    public var eventData: [String: JSONValue]?
    public var clientInfo: ClientInfo?
    public var serviceInfo: ServiceInfo?
    public var processingInfo: ProcessingInfo?

    enum CodingKeys: String, CodingKey {
        case eventID = "event_id", requestID = "request_id", eventType = "event_type", timestamp
        case userID = "user_id", sessionID = "session_id", pageURL = "page_url", eventData = "event_data"
        case clientInfo = "client_info", serviceInfo = "service_info", processingInfo = "processing_info"
    }

    enum ClientKeys: String, CodingKey {
        case userAgent = "user_agent", screenResolution = "screen_resolution", language
    }

    enum ServiceKeys: String, CodingKey {
        case serviceName = "service_name", serviceVersion = "service_version", environment
    }

    enum ProcessingKeys: String, CodingKey {
        case receivedAt = "received_at", processedAt = "processed_at", processingMs = "processing_ms"
    }

    /// Decodes members in declaration order; `decodeIfPresent` treats `null` as absent.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        eventID = try container.decode(String.self, forKey: .eventID)
        requestID = try container.decodeIfPresent(String.self, forKey: .requestID)
        eventType = try container.decode(String.self, forKey: .eventType)
        let timestampText = try container.decode(String.self, forKey: .timestamp)
        guard let timestamp = ReferenceRFC3339.parse(timestampText) else {
            throw ReferenceTimestampError(text: "not an RFC 3339 date-time: \(timestampText)")
        }
        self.timestamp = timestamp
        userID = try container.decodeIfPresent(String.self, forKey: .userID)
        sessionID = try container.decodeIfPresent(String.self, forKey: .sessionID)
        pageURL = try container.decodeIfPresent(String.self, forKey: .pageURL)
        eventData = try container.decodeIfPresent([String: JSONValue].self, forKey: .eventData)
        if container.contains(.clientInfo), try !container.decodeNil(forKey: .clientInfo) {
            let client = try container.nestedContainer(keyedBy: ClientKeys.self, forKey: .clientInfo)
            clientInfo = ClientInfo(
                userAgent: try client.decodeIfPresent(String.self, forKey: .userAgent),
                screenResolution: try client.decodeIfPresent(String.self, forKey: .screenResolution),
                language: try client.decodeIfPresent(String.self, forKey: .language))
        }
        if container.contains(.serviceInfo), try !container.decodeNil(forKey: .serviceInfo) {
            let service = try container.nestedContainer(keyedBy: ServiceKeys.self, forKey: .serviceInfo)
            serviceInfo = ServiceInfo(
                serviceName: try service.decodeIfPresent(String.self, forKey: .serviceName),
                serviceVersion: try service.decodeIfPresent(String.self, forKey: .serviceVersion),
                environment: try service.decodeIfPresent(String.self, forKey: .environment))
        }
        if container.contains(.processingInfo), try !container.decodeNil(forKey: .processingInfo) {
            let processing = try container.nestedContainer(keyedBy: ProcessingKeys.self, forKey: .processingInfo)
            processingInfo = ProcessingInfo(
                receivedAt: try processing.decodeIfPresent(String.self, forKey: .receivedAt),
                processedAt: try processing.decodeIfPresent(String.self, forKey: .processedAt),
                processingMs: try processing.decodeIfPresent(Int.self, forKey: .processingMs))
        }
    }
}
