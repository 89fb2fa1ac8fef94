import ServiceLifecycle
import Testing

@testable import ProcessingCore

@Suite("service-lifecycle names of the service's services")
struct ServiceNamingTests {
    /// A service whose default name would be a reflection dump of its stored properties.
    struct RunsNothing: Service {
        let payload = Array(repeating: "field", count: 3)
        func run() async throws {}
    }

    @Test("a service is named by its type, not by a reflection dump of its value")
    func namedByType() {
        #expect(ServiceGroupConfiguration.ServiceConfiguration.named(RunsNothing()).serviceName == "RunsNothing")
        #expect(ServiceGroupConfiguration.ServiceConfiguration(service: RunsNothing()).serviceName.contains("payload"), "the default this replaces")
    }
}
