import Foundation
import Testing
import TestSupport

/// The real executable after a fatal Kafka error: a static member (`group.instance.id`) that the broker
/// says was fenced by a newer instance (FENCED_INSTANCE_ID, 82) cannot go on, and librdkafka raises it as
/// a fatal consumer error. The service must log it at critical and exit non-zero within its shutdown
/// bound, so an orchestrator restarts it — not hang, not exit 0. (That `/healthz` answers 503 for a fatal
/// error is tested in process, `FatalErrorLivenessTests`: the process exits within milliseconds.)
@Suite("Fatal Kafka error", .timeLimit(.minutes(3)))
struct FatalKafkaErrorTests {
    @Test("fenced static member: critical log line, exit 70 within SHUTDOWN_TIMEOUT + 5 s")
    func fencedStaticMemberExits70() async throws {
        let broker = try await MockBroker(topics: ["events": 2])
        defer { broker.requestStop() }
        let environment = ServiceProcess.environment(
            broker: broker, topic: "events", groupID: uniqueGroupID("fatal"),
            ["KAFKA_CFG_GROUP_INSTANCE_ID": "processing-service-0", "SHUTDOWN_TIMEOUT": "5"])
        let service = try ServiceProcess(name: "service-fenced", environment: environment)
        let endpoints = try await ServiceEndpoints.of(service)
        try await eventuallyAsync("/readyz 200", details: { service.tail() }) { try await endpoints.readiness().status == 200 }
        #expect(try await endpoints.get("/healthz").status == 200)

        // The next heartbeats are answered "fenced": another instance with the same group.instance.id took over.
        // What a probe sees until the process is gone (for the log: the window is too short to assert on).
        // The fence is pushed only once the prober has its first answer: on a loaded machine the task could
        // otherwise start after the process is gone and see nothing at all.
        let (firstAnswer, answered) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let probing = Task {
            defer { answered.finish() }
            var answers: [Int] = []
            while let response = try? await endpoints.get("/healthz"), answers.count < 10_000 {
                if answers.last != response.status { answers.append(response.status) }
                answered.yield()
            }
            return answers
        }
        for await _ in firstAnswer { break }
        try await broker.pushRequestErrors(apiKey: 12, errorCodes: [82, 82, 82])
        let fencedAt = ContinuousClock.now
        let exit = try await service.waitForExit(timeout: .seconds(60))
        let took = ContinuousClock.now - fencedAt
        let probed = await probing.value
        #expect(exit == .exited(70), "\(service.tail())")
        // From the fatal error to the last line by the service's own clock: the bounded close (5 s) and
        // 3 s for timers firing late under the suite's load. The time until the test sees the exit
        // (`took`) includes the loaded test process reading the log and the heartbeat that carries the error.
        let stopping = try #require(
            service.loggedDuration(
                from: { $0.message == "Fatal Kafka consumer error" },
                to: { $0.message.hasPrefix("Processing service stopped: fatal Kafka error") }),
            "\(service.tail())")
        #expect(stopping < .seconds(5 + 3), "stopping took \(stopping) (the exit was seen \(took) after the fenced heartbeats were queued)")
        let critical = service.logLines.filter { $0.level == "critical" }.map(\.message)
        #expect(critical.contains("Fatal Kafka consumer error"), "\(critical)")
        #expect(critical.contains { $0.hasPrefix("Processing service stopped: fatal Kafka error") }, "\(critical)")
        print("fenced static member: \(exit) \(took) after the fenced heartbeats were queued; /healthz answered \(probed) until then")
        // Alive until the fatal error, then not: never alive again after a 503 (whether a probe lands in the
        // short window before the exit is luck, so it is not required).
        #expect(probed == [200] || probed == [200, 503], "\(probed)")
        #expect(!service.logLines.contains { $0.level == "error" }, "only the fatal error is reported: \(service.tail())")
    }
}
