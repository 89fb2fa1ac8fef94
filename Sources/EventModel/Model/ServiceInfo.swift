/// `service_info`: the service that enriched the event.
public struct ServiceInfo: Sendable, Hashable {
    public var serviceName: String?
    public var serviceVersion: String?
    public var environment: String?

    public init(serviceName: String? = nil, serviceVersion: String? = nil, environment: String? = nil) {
        self.serviceName = serviceName
        self.serviceVersion = serviceVersion
        self.environment = environment
    }
}
