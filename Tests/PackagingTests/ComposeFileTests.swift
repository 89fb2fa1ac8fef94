import Foundation
import Testing
import TestSupport

/// docker-compose.yml cannot be run here (no Docker engine), so it is checked statically by
/// `scripts/validate_compose.py`: the Compose Specification's JSON schema plus the wiring between services.
/// The mutation tests prove each wiring check can actually fail.
@Suite("docker-compose.yml")
struct ComposeFileTests {
    static let validator = Repository.url("scripts/validate_compose.py").path

    @Test("is valid against the Compose schema and wired correctly")
    func composeFileIsValid() throws {
        let result = try ProcessOutput.runPython([Self.validator, "--compose", Repository.url("docker-compose.yml").path])
        #expect(result.status == 0, "scripts/validate_compose.py rejected docker-compose.yml: \(result)")
    }

    @Test("a missing schema is an error, not a silent skip")
    func missingSchemaFails() throws {
        let result = try ProcessOutput.runPython(
            [Self.validator],
            environment: ["COMPOSE_SCHEMA": "/nonexistent/compose-spec.json"]
        )
        #expect(result.status == 2, "\(result)")
        #expect(result.output.contains("Compose schema not found"), "\(result)")
    }

    /// A wrong docker-compose.yml and the complaint it must draw.
    struct Mutation: CustomTestStringConvertible, Sendable {
        let name: String
        let original: String
        let replacement: String
        let expectedComplaint: String

        var testDescription: String { name }
    }

    static let mutations: [Mutation] = [
        Mutation(
            name: "unknown key (schema)",
            original: "    restart: unless-stopped",
            replacement: "    restart_policy: unless-stopped",
            expectedComplaint: "schema: services/processing-service"
        ),
        Mutation(
            name: "service starts before its topics exist",
            original: """
                      kafka-init:
                        condition: service_completed_successfully
                    restart: unless-stopped
                """,
            replacement: """
                      kafka-init:
                        condition: service_started
                    restart: unless-stopped
                """,
            expectedComplaint: "'processing-service' must depend on 'kafka-init'"
        ),
        Mutation(
            name: "brokers not advertised to containers",
            original: "KAFKA_BROKERS: kafka:29092",
            replacement: "KAFKA_BROKERS: localhost:9092",
            expectedComplaint: "'processing-service' uses broker localhost:9092"
        ),
        Mutation(
            name: "not reading from the beginning",
            original: #"command: ["--read-from-beginning"]"#,
            replacement: "command: []",
            expectedComplaint: "--read-from-beginning"
        ),
        Mutation(
            name: "dead-letter topic not created",
            original: "--topic user-activity-events.dlq",
            replacement: "--topic user-activity-events-dead-letters",
            expectedComplaint: "dead-letter topic"
        ),
        Mutation(
            name: "grace period shorter than SHUTDOWN_TIMEOUT",
            original: "stop_grace_period: 45s",
            replacement: "stop_grace_period: 1s",
            expectedComplaint: "stop_grace_period (1s) must exceed SHUTDOWN_TIMEOUT"
        ),
        Mutation(
            name: "event store not pinned",
            original: "image: postgres:15.10-bookworm",
            replacement: "image: postgres:latest",
            expectedComplaint: "'postgres' must run a pinned postgres image"
        ),
        Mutation(
            name: "DATABASE_URL names no service",
            original: "@postgres:5432/events",
            replacement: "@db:5432/events",
            expectedComplaint: "DATABASE_URL names host 'db', which is no service here"
        ),
        Mutation(
            name: "service does not wait for the event store",
            original: """
                      postgres:
                        condition: service_healthy
                """,
            replacement: """
                      postgres:
                        condition: service_started
                """,
            expectedComplaint: "'processing-service' must depend on 'postgres' with condition service_healthy"
        ),
        Mutation(
            name: "advertised listener kafka does not bind",
            original: "PLAINTEXT://kafka:29092,PLAINTEXT_HOST",
            replacement: "PLAINTEXT://kafka:29093,PLAINTEXT_HOST",
            expectedComplaint: "not a listener kafka binds"
        ),
    ]

    @Test("a broken file is rejected", arguments: mutations)
    func brokenFileIsRejected(_ mutation: Mutation) throws {
        let original = try Repository.text("docker-compose.yml")
        let mutated = original.replacingOccurrences(of: mutation.original, with: mutation.replacement)
        try #require(mutated != original, "docker-compose.yml no longer contains \(mutation.original.debugDescription)")

        // The validator reads env_file relative to the compose file, so env.example goes along.
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("compose-mutation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try mutated.write(to: directory.appendingPathComponent("docker-compose.yml"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(
            at: Repository.url("env.example"),
            to: directory.appendingPathComponent("env.example")
        )

        let result = try ProcessOutput.runPython(
            [Self.validator, "--compose", directory.appendingPathComponent("docker-compose.yml").path]
        )
        #expect(result.status == 1, "\(result)")
        #expect(result.output.contains(mutation.expectedComplaint), "\(result)")
    }
}
