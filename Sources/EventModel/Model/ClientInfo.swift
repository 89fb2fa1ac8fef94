/// `client_info`: what the ingestion service learned about the client that sent the event.
public struct ClientInfo: Sendable, Hashable {
    public var userAgent: String?
    public var screenResolution: String?
    public var language: String?

    public init(userAgent: String? = nil, screenResolution: String? = nil, language: String? = nil) {
        self.userAgent = userAgent
        self.screenResolution = screenResolution
        self.language = language
    }
}
