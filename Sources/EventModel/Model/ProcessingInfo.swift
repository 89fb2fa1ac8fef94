/// `processing_info`: when the ingestion service received and processed the event.
///
/// `receivedAt`/`processedAt` are kept as the strings sent (use ``EventTimestamp/init(rfc3339:)`` to parse
/// them): they are upstream bookkeeping, and a malformed one should not make an event undeliverable the way
/// a malformed event `timestamp` does.
public struct ProcessingInfo: Sendable, Hashable {
    public var receivedAt: String?
    public var processedAt: String?
    /// Milliseconds the ingestion service spent; a JSON number that is a whole number fitting in `Int`.
    public var processingMs: Int?

    public init(receivedAt: String? = nil, processedAt: String? = nil, processingMs: Int? = nil) {
        self.receivedAt = receivedAt
        self.processedAt = processedAt
        self.processingMs = processingMs
    }
}
