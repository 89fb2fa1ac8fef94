import Foundation
import Testing
import TestSupport

/// deploy/ cannot be applied here (no cluster, no Docker engine): the Kubernetes manifests are validated
/// against the Kubernetes 1.30 schemas offline and their wiring checked by `scripts/validate_deploy.py`;
/// the Prometheus rules and config by `promtool` (Debian's `prometheus` package). The mutation tests prove
/// the checks can fail.
@Suite("deploy/: Kubernetes, Prometheus and Grafana files")
struct DeployManifestTests {
    static let validator = Repository.url("scripts/validate_deploy.py").path

    @Test("the manifests pass the Kubernetes schemas and are wired to the service's port, probes and shutdown")
    func deployIsValid() throws {
        let result = try ProcessOutput.runPython([Self.validator])
        #expect(result.status == 0, "scripts/validate_deploy.py rejected deploy/: \(result)")
    }

    @Test("promtool accepts the alert rules and the compose Prometheus configuration")
    func promtoolAcceptsRulesAndConfig() throws {
        let rules = try ProcessOutput.run(Promtool.path, ["check", "rules", Repository.url("deploy/prometheus/alerts.yml").path])
        #expect(rules.status == 0, "\(rules)")
        let config = try ProcessOutput.run(Promtool.path, ["check", "config", Repository.url("deploy/prometheus/prometheus.yml").path])
        #expect(config.status == 0, "\(config)")
    }

    @Test("promtool rejects a broken rule (the check can fail)")
    func promtoolRejectsBrokenRule() throws {
        let directory = try Self.copyOfRepositoryFiles()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("deploy/prometheus/alerts.yml")
        let broken = try String(contentsOf: file, encoding: .utf8)
            .replacingOccurrences(of: "expr: processing_service_ready == 0", with: "expr: processing_service_ready == == 0")
        try broken.write(to: file, atomically: true, encoding: .utf8)
        let result = try ProcessOutput.run(Promtool.path, ["check", "rules", file.path])
        #expect(result.status != 0, "\(result)")
    }

    /// A wrong file and the complaint it must draw.
    struct Mutation: CustomTestStringConvertible, Sendable {
        let name: String
        let file: String
        let original: String
        let replacement: String
        let expectedComplaint: String
        var testDescription: String { name }
    }

    static let mutations: [Mutation] = [
        Mutation(name: "wrong type (Kubernetes schema)", file: "deploy/kubernetes/deployment.yaml",
                 original: "replicas: 2", replacement: "replicas: two", expectedComplaint: "spec.replicas"),
        Mutation(name: "grace period not above SHUTDOWN_TIMEOUT", file: "deploy/kubernetes/deployment.yaml",
                 original: "terminationGracePeriodSeconds: 45", replacement: "terminationGracePeriodSeconds: 30",
                 expectedComplaint: "must exceed SHUTDOWN_TIMEOUT"),
        Mutation(name: "readiness probe on the liveness path", file: "deploy/kubernetes/deployment.yaml",
                 original: "path: /readyz", replacement: "path: /healthz", expectedComplaint: "readinessProbe probes /healthz"),
        Mutation(name: "scrape annotation on another port", file: "deploy/kubernetes/deployment.yaml",
                 original: "prometheus.io/port: \"8080\"", replacement: "prometheus.io/port: \"9000\"",
                 expectedComplaint: "prometheus.io/port is 9000"),
        Mutation(name: "unpinned Grafana image", file: "docker-compose.yml",
                 original: "image: grafana/grafana:11.2.2", replacement: "image: grafana/grafana:latest",
                 expectedComplaint: "must be pinned"),
        Mutation(name: "Prometheus scrapes the wrong port", file: "deploy/prometheus/prometheus.yml",
                 original: "processing-service:8080", replacement: "processing-service:9090",
                 expectedComplaint: "must scrape processing-service:8080"),
    ]

    @Test("a broken file is rejected", arguments: mutations)
    func brokenFileIsRejected(_ mutation: Mutation) throws {
        let directory = try Self.copyOfRepositoryFiles()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent(mutation.file)
        let text = try String(contentsOf: file, encoding: .utf8)
        try #require(text.contains(mutation.original), "\(mutation.file) no longer contains '\(mutation.original)'")
        try text.replacingOccurrences(of: mutation.original, with: mutation.replacement)
            .write(to: file, atomically: true, encoding: .utf8)
        let result = try ProcessOutput.runPython([Self.validator, "--root", directory.path])
        #expect(result.status == 1, "\(result)")
        #expect(result.output.contains(mutation.expectedComplaint), "\(result)")
    }

    /// deploy/ and docker-compose.yml copied into a temporary directory.
    static func copyOfRepositoryFiles() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("deploy-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Repository.url("deploy"), to: directory.appendingPathComponent("deploy"))
        try FileManager.default.copyItem(at: Repository.url("docker-compose.yml"), to: directory.appendingPathComponent("docker-compose.yml"))
        return directory
    }
}
