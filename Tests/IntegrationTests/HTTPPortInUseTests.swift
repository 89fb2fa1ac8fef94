import Foundation
import TestSupport
import Testing

/// The real executable with its HTTP port taken: a clear start-up error naming HTTP_PORT, exit 64, before
/// anything connects (the brokers here do not exist: a check after connecting would exit 69 instead).
@Suite("HTTP_PORT in use")
struct HTTPPortInUseTests {
    @Test("exit 64 with a line naming HTTP_PORT, before connecting to Kafka")
    func takenPortStopsTheStartUp() async throws {
        let occupied = try OccupiedPort()
        let outcome = try await ConfigurationExitCodeTests.run([], environment: [
            "KAFKA_BROKERS": "127.0.0.1:1", "MAX_RETRIES": "1", "RETRY_DELAY": "0",
            "HTTP_HOST": "127.0.0.1", "HTTP_PORT": String(occupied.port),
        ])
        #expect(outcome.status == 64, "stdout:\n\(outcome.standardOutput)\nstderr:\n\(outcome.standardError)")
        let output = outcome.standardOutput + outcome.standardError
        #expect(output.contains("HTTP_PORT=\(occupied.port) (HTTP_HOST=127.0.0.1) cannot be used: the address is already in use"), "\(output)")
        #expect(!output.contains("Kafka not ready"), "it must fail before trying Kafka: \(output)")
        withExtendedLifetime(occupied) {}
    }
}
