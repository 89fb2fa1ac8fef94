/// Where each string member (and `event_data`) of a decoded event lies in the event's payload copy.
///
/// One named slot per member rather than an array, so an `EnrichedEvent` needs no allocation beyond its
/// payload copy; the `switch` in the subscript compiles to a jump table.
struct FieldSpans: Sendable, Equatable {
    var eventID = ByteSpan.absent
    var requestID = ByteSpan.absent
    var eventType = ByteSpan.absent
    var timestamp = ByteSpan.absent
    var userID = ByteSpan.absent
    var sessionID = ByteSpan.absent
    var pageURL = ByteSpan.absent
    var eventData = ByteSpan.absent
    var userAgent = ByteSpan.absent
    var screenResolution = ByteSpan.absent
    var language = ByteSpan.absent
    var serviceName = ByteSpan.absent
    var serviceVersion = ByteSpan.absent
    var environment = ByteSpan.absent
    var receivedAt = ByteSpan.absent
    var processedAt = ByteSpan.absent

    /// The span of `field`; always absent for the object members and `processing_ms`, which have none.
    subscript(field: EventField) -> ByteSpan {
        get {
            switch field {
            case .eventID: eventID
            case .requestID: requestID
            case .eventType: eventType
            case .timestamp: timestamp
            case .userID: userID
            case .sessionID: sessionID
            case .pageURL: pageURL
            case .eventData: eventData
            case .userAgent: userAgent
            case .screenResolution: screenResolution
            case .language: language
            case .serviceName: serviceName
            case .serviceVersion: serviceVersion
            case .environment: environment
            case .receivedAt: receivedAt
            case .processedAt: processedAt
            case .clientInfo, .serviceInfo, .processingInfo, .processingMs: .absent
            }
        }
        set {
            switch field {
            case .eventID: eventID = newValue
            case .requestID: requestID = newValue
            case .eventType: eventType = newValue
            case .timestamp: timestamp = newValue
            case .userID: userID = newValue
            case .sessionID: sessionID = newValue
            case .pageURL: pageURL = newValue
            case .eventData: eventData = newValue
            case .userAgent: userAgent = newValue
            case .screenResolution: screenResolution = newValue
            case .language: language = newValue
            case .serviceName: serviceName = newValue
            case .serviceVersion: serviceVersion = newValue
            case .environment: environment = newValue
            case .receivedAt: receivedAt = newValue
            case .processedAt: processedAt = newValue
            case .clientInfo, .serviceInfo, .processingInfo, .processingMs:
                assertionFailure("\(field) has no byte span")
            }
        }
    }
}
