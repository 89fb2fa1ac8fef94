/// A user-activity event as enriched by the ingestion service (the seed README's schema).
///
/// Required: ``eventID``, ``eventType``, ``timestamp``. Everything else is optional; `event_data` is kept
/// losslessly as raw JSON.
///
/// Storage: a decoded event owns one copy of the record value and remembers where each member's string is
/// in it; a `String` is created only when a property is read. The pipeline decodes every event but the
/// default processor reads two or three members, usually for a log line that is filtered out, so creating
/// ~15 Strings per event up front (most of them heap-allocated: UUIDs, URLs, user agents) would cost more
/// than the whole validation. Reading a property twice creates the `String` twice; keep it if you need it
/// repeatedly.
public struct EnrichedEvent: Sendable {
    /// The payload copy and the positions of its members. `nonisolated(unsafe)` because `ManagedBuffer`
    /// subclasses cannot be declared `Sendable`; sharing is safe as the storage is never mutated after the
    /// decoder (or the memberwise initializer) has built it, except by the decoder reusing it for a new event
    /// once nothing else references it (`EnrichedEventDecoder.decode(_:recycling:)`).
    private(set) nonisolated(unsafe) var storage: EventStorage
    private let presentObjects: UInt32
    private let processingMs: Int?

    /// When the event happened (required; RFC 3339 in the document).
    public let timestamp: EventTimestamp

    /// The storage, if this value holds the only reference to it (so the decoder may reuse it).
    mutating func uniquelyReferencedStorage() -> EventStorage? {
        isKnownUniquelyReferenced(&storage) ? storage : nil
    }

    init(storage: EventStorage, parsed: EventDocumentParser.Result) {
        self.storage = storage
        presentObjects = parsed.presentObjects
        processingMs = parsed.processingMs
        timestamp = parsed.timestamp
    }

    /// Creates an event from values (for tests and producers); the reverse of decoding.
    public init(
        eventID: String,
        eventType: String,
        timestamp: EventTimestamp,
        requestID: String? = nil,
        userID: String? = nil,
        sessionID: String? = nil,
        pageURL: String? = nil,
        eventData: RawJSON? = nil,
        clientInfo: ClientInfo? = nil,
        serviceInfo: ServiceInfo? = nil,
        processingInfo: ProcessingInfo? = nil
    ) {
        var payload: [UInt8] = []
        var spans: [(EventField, ByteSpan)] = []
        func store(_ value: String?, _ field: EventField) {
            guard let value else { return }
            let start = payload.count
            payload.append(contentsOf: value.utf8)
            spans.append((field, ByteSpan(start: start, count: payload.count - start)))
        }
        store(eventID, .eventID)
        store(eventType, .eventType)
        store(timestamp.description, .timestamp)
        store(requestID, .requestID)
        store(userID, .userID)
        store(sessionID, .sessionID)
        store(pageURL, .pageURL)
        if let eventData {
            spans.append((.eventData, ByteSpan(start: payload.count, count: eventData.bytes.count)))
            payload.append(contentsOf: eventData.bytes)
        }
        var presentObjects: UInt32 = 0
        if let clientInfo {
            presentObjects |= EventField.clientInfo.bit
            store(clientInfo.userAgent, .userAgent)
            store(clientInfo.screenResolution, .screenResolution)
            store(clientInfo.language, .language)
        }
        if let serviceInfo {
            presentObjects |= EventField.serviceInfo.bit
            store(serviceInfo.serviceName, .serviceName)
            store(serviceInfo.serviceVersion, .serviceVersion)
            store(serviceInfo.environment, .environment)
        }
        if let processingInfo {
            presentObjects |= EventField.processingInfo.bit
            store(processingInfo.receivedAt, .receivedAt)
            store(processingInfo.processedAt, .processedAt)
        }
        self.storage = EventStorage.make(payload: payload, spans: spans)
        self.presentObjects = presentObjects
        self.processingMs = processingInfo?.processingMs
        self.timestamp = timestamp
    }

    /// `event_id` (required).
    public var eventID: String { string(.eventID) ?? "" }
    /// `event_type` (required), e.g. `page_view`.
    public var eventType: String { string(.eventType) ?? "" }
    /// `request_id`.
    public var requestID: String? { string(.requestID) }
    /// `user_id`; also the record key, so a user's events stay in order on one partition.
    public var userID: String? { string(.userID) }
    /// `session_id`.
    public var sessionID: String? { string(.sessionID) }
    /// `page_url`.
    public var pageURL: String? { string(.pageURL) }

    /// `event_data`, exactly as sent (a JSON object).
    public var eventData: RawJSON? {
        let span = storage.span(.eventData)
        guard !span.isAbsent else { return nil }
        return RawJSON(trustedBytes: storage.withPayload { Array($0[span.range]) })
    }

    /// `client_info`, nil when absent or `null`.
    public var clientInfo: ClientInfo? {
        guard presentObjects & EventField.clientInfo.bit != 0 else { return nil }
        return ClientInfo(
            userAgent: string(.userAgent), screenResolution: string(.screenResolution),
            language: string(.language))
    }

    /// `service_info`, nil when absent or `null`.
    public var serviceInfo: ServiceInfo? {
        guard presentObjects & EventField.serviceInfo.bit != 0 else { return nil }
        return ServiceInfo(
            serviceName: string(.serviceName), serviceVersion: string(.serviceVersion),
            environment: string(.environment))
    }

    /// `processing_info`, nil when absent or `null`.
    public var processingInfo: ProcessingInfo? {
        guard presentObjects & EventField.processingInfo.bit != 0 else { return nil }
        return ProcessingInfo(
            receivedAt: string(.receivedAt), processedAt: string(.processedAt),
            processingMs: processingMs)
    }

    /// The `String` for a span: the bytes as is, or unescaped when the JSON string had escapes.
    private func string(_ field: EventField) -> String? {
        let span = storage.span(field)
        guard !span.isAbsent else { return nil }
        return storage.withPayload { buffer in
            let content = UnsafeBufferPointer(rebasing: buffer[span.range])
            guard span.hasEscapes else { return String(decoding: content, as: UTF8.self) }
            return JSONStringUnescaper.withUnescaped(content) { String(decoding: $0, as: UTF8.self) }
        }
    }
}

extension EnrichedEvent: Equatable {
    /// Events are equal when every member has the same value (however it was written in JSON).
    public static func == (lhs: EnrichedEvent, rhs: EnrichedEvent) -> Bool {
        lhs.eventID == rhs.eventID && lhs.eventType == rhs.eventType && lhs.timestamp == rhs.timestamp
            && lhs.requestID == rhs.requestID && lhs.userID == rhs.userID && lhs.sessionID == rhs.sessionID
            && lhs.pageURL == rhs.pageURL && lhs.eventData == rhs.eventData && lhs.clientInfo == rhs.clientInfo
            && lhs.serviceInfo == rhs.serviceInfo && lhs.processingInfo == rhs.processingInfo
    }
}

extension EnrichedEvent: CustomStringConvertible {
    public var description: String {
        "EnrichedEvent(event_id: \(eventID), event_type: \(eventType), timestamp: \(timestamp), "
            + "user_id: \(userID ?? "nil"))"
    }
}
