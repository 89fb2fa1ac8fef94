import Foundation
import Testing
import TestSupport

/// The harness the integration tests count the service's log lines with (`ServiceProcess`): it must
/// never mistake lines the service dropped for work the service did not do.
@Suite("ServiceProcess harness: dropped log lines are an error, never silent")
struct ServiceProcessHarnessTests {
    @Test("a service that drops log lines makes waiting fail at once, naming the dropped lines and LOG_BUFFER_SIZE")
    func droppedLinesFailLoudly() async throws {
        let broker = try await MockBroker(topics: ["harness-events": 1])
        defer { broker.requestStop() }
        // A 1-byte buffer takes no line, so every line is dropped and only the writer's
        // `N log lines dropped` reports come out: what a reader too slow for a real buffer would see.
        let service = try ServiceProcess(
            environment: ServiceProcess.environment(
                broker: broker, topic: "harness-events", groupID: uniqueGroupID("harness"), ["LOG_BUFFER_SIZE": "1"]
            )
        )
        let failure = await #expect(throws: ChildProcessError.self) {
            try await service.waitForAssignment(timeout: .seconds(120))
        }
        let message = failure?.description ?? ""
        #expect(message.contains("the service dropped"), "\(message)")
        #expect(message.contains("LOG_BUFFER_SIZE"), "\(message)")
        #expect(!message.hasPrefix("timed out"), "failed at the first report, not after the bound: \(message)")
        #expect(service.droppedLogLines > 0)
        #expect(service.processed.count == 0)
        service.terminate()
        await #expect(throws: ChildProcessError.self, "the exit is checked too") {
            try await service.waitForExit(timeout: .seconds(60))
        }
    }
}
