import Foundation
import Kafka
import ProcessingCore
import TestSupport

/// The processing service running inside the test process, as the executable assembles it
/// (`ServiceConfiguration.load` from an environment, `ProcessingServiceApp.run`), but with a test's
/// processor and its JSON logs captured. Kafka is still the mock broker in its own process.
///
/// Used by the fault tests that need a processor which fails on command; tests of the executable
/// itself launch the binary.
final class EmbeddedService: Sendable {
    let log = EmbeddedServiceLog()
    let processor: FaultProcessor
    let configuration: ServiceConfiguration
    private let task: Task<(any Error)?, Never>

    /// `ServiceProcess.environment` (short session timeout and commit interval) plus short processing
    /// backoffs without jitter; `extra` wins.
    static func environment(broker: MockBroker, topic: String, group: String, _ extra: [String: String] = [:]) -> [String: String] {
        var environment = ServiceProcess.environment(broker: broker, topic: topic, groupID: group)
        environment.merge([
            "PROCESSING_MAX_ATTEMPTS": "3",
            "PROCESSING_BACKOFF_BASE": "100ms",
            "PROCESSING_BACKOFF_JITTER": "0",
        ]) { _, new in new }
        environment.merge(extra) { _, new in new }
        return environment
    }

    /// Loads the configuration from `environment` (no `.env` file) and starts the service.
    init(environment: [String: String], processor: FaultProcessor = FaultProcessor()) throws {
        let configuration = try ServiceConfiguration.load(environment: environment, environmentFilePath: nil)
        let app = ProcessingServiceApp(configuration: configuration, logger: log.logger(), processor: processor)
        self.configuration = configuration
        self.processor = processor
        self.task = Task {
            do {
                try await app.run()
                return nil
            } catch is CancellationError {
                return nil
            } catch {
                return error
            }
        }
    }

    /// Stops the service (task cancellation closes the consumer: finished work is stored, committed, and
    /// the group left) and returns the error it failed with, if any.
    @discardableResult
    func stop() async -> (any Error)? {
        task.cancel()
        return await task.value
    }

    /// Whether the service is still running (it has not failed or stopped).
    var isRunning: Bool { !task.isCancelled && !log.all.contains { $0.message.hasPrefix("Processing service stopped") } }
}
