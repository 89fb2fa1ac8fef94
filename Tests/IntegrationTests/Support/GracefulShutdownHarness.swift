import Foundation
import Logging
import ProcessingCore
import ServiceLifecycleTestKit
import TestSupport

/// Runs `ProcessingServiceApp` inside the test process with a test's `EventProcessor`, and stops it with
/// a *graceful shutdown*, exactly as SIGTERM would — through swift-service-lifecycle's test trigger, so no
/// signal is sent to the test runner. The app's `ServiceGroup` sees the trigger as its parent's graceful
/// shutdown and runs the same sequence as on SIGTERM (stop taking events, wait up to SHUTDOWN_TIMEOUT,
/// commit, leave the group).
///
/// (`EmbeddedService` stops by task cancellation instead, for tests that only need the service gone.)
enum GracefulShutdownHarness {
    /// The configuration the binary would load from `ServiceProcess.environment(...)` plus `extra`
    /// (the same variables, the same validation; no `.env` file).
    static func configuration(
        broker: MockBroker, topic: String, groupID: String, _ extra: [String: String] = [:]
    ) throws -> ServiceConfiguration {
        try ServiceConfiguration.load(
            environment: ServiceProcess.environment(broker: broker, topic: topic, groupID: groupID, extra),
            environmentFilePath: nil
        )
    }

    /// Warnings and errors go to the test's stderr, where a failing test's output shows them; info
    /// lines would drown them.
    static let logger: Logger = {
        var logger = Logger(label: "in-process-service") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        return logger
    }()

    /// Starts the service, runs `body` while it runs, then triggers the graceful shutdown and waits for
    /// `run()` to return.
    ///
    /// - Parameter shutdownBound: a hang bound for `run()` to return after the trigger; when it passes
    ///   the test fails with a `ChildProcessError` (an in-process app cannot be killed).
    /// - Returns: what `body` returned.
    /// - Throws: what `body` or the app's `run()` throws.
    static func run<Result: Sendable>(
        _ configuration: ServiceConfiguration,
        processor: any EventProcessor,
        logger: Logger = logger,
        shutdownBound: Duration = .seconds(60),
        while body: () async throws -> Result
    ) async throws -> Result {
        try await testGracefulShutdown { trigger in
            let app = ProcessingServiceApp(configuration: configuration, logger: logger, processor: processor)
            // An unstructured task inherits the task-local graceful-shutdown manager of `testGracefulShutdown`.
            let running = Task { try await app.run() }
            let result: Swift.Result<Result, any Error>
            do {
                result = .success(try await body())
            } catch {
                result = .failure(error)
            }
            trigger.triggerGracefulShutdown()
            defer { restoreDefaultSignalDispositions() }
            try await waitForRun(running, bound: shutdownBound)
            return try result.get()
        }
    }

    /// The app traps SIGTERM and SIGINT (swift-service-lifecycle's `UnixSignalsSequence` sets them to
    /// `SIG_IGN` and listens through Dispatch) and never restores them, so after an in-process run the
    /// *test runner* would ignore Ctrl-C and a CI timeout's SIGTERM. Give the runner its defaults back.
    private static func restoreDefaultSignalDispositions() {
        signal(SIGTERM, SIG_DFL)
        signal(SIGINT, SIG_DFL)
    }

    /// Waits for the app's task, giving up (with an error) after `bound`. (Not a task group: that would
    /// wait for the uncancellable `running.result` even after the bound passed.)
    private static func waitForRun(_ running: Task<Void, any Error>, bound: Duration) async throws {
        guard let outcome = await value(within: bound, of: { await running.result }) else {
            throw ChildProcessError.timedOut("the in-process service to stop within \(bound) of the graceful shutdown")
        }
        try outcome.get()
    }
}
