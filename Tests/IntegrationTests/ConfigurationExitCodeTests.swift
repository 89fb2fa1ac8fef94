import Foundation
import ProcessingCore
import Subprocess
import SystemPackage
import Testing
import TestSupport

/// The built `processing-service` binary refuses invalid configuration before connecting: one line per
/// problem on stderr, exit status 64 (EX_USAGE).
@Suite("processing-service: configuration errors exit 64 before connecting")
struct ConfigurationExitCodeTests {
    struct Outcome {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// Runs the binary in a fresh temporary working directory (so no stray `.env` is read), with the
    /// test runner's environment minus every variable the service reads, plus `environment`. Under
    /// swift-subprocess: the output is collected and the exit awaited without blocking a thread.
    static func run(
        _ arguments: [String],
        environment: [String: String],
        dotEnv: String? = nil
    ) async throws -> Outcome {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("exit-code-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        if let dotEnv {
            try Data(dotEnv.utf8).write(to: directory.appendingPathComponent(".env"))
        }
        let executable = try BuiltProducts.executableURL(named: "processing-service")
        let variables = ChildProcess.isolatedEnvironment(adding: environment)
        let running = Task {
            try await Subprocess.run(
                .path(FilePath(executable.path)), arguments: Arguments(arguments),
                environment: .custom(Dictionary(uniqueKeysWithValues: variables.map { (Environment.Key(stringLiteral: $0.key), $0.value) })),
                workingDirectory: FilePath(directory.path),
                output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
        }
        // A hang bound, not a performance assertion: rejecting configuration needs no network at all.
        guard let finished = await value(within: .seconds(60), of: { await running.result }) else {
            running.cancel()  // swift-subprocess kills the child of a cancelled run
            Issue.record("processing-service did not exit within 60 s")
            return Outcome(status: -1, standardOutput: "", standardError: "")
        }
        let result = try finished.get()
        let status: Int32
        switch result.terminationStatus {
        case .exited(let code): status = code
        case .signaled(let signal): status = 128 + signal
        }
        return Outcome(status: status, standardOutput: result.standardOutput, standardError: result.standardError)
    }

    @Test("LOG_FORMAT=yaml: exit 64 and one line naming the variable and the accepted values")
    func invalidLogFormat() async throws {
        let outcome = try await Self.run([], environment: ["LOG_FORMAT": "yaml"])
        #expect(outcome.status == 64)
        #expect(outcome.standardError == "configuration error: LOG_FORMAT: \"yaml\" is not one of json, text\n")
        #expect(outcome.standardOutput.isEmpty, "nothing is logged before the configuration is valid")
    }

    @Test("LOG_BUFFER_SIZE=1MB: exit 64 naming the variable and the accepted forms, before logging anything")
    func invalidLogBufferSize() async throws {
        let outcome = try await Self.run([], environment: ["LOG_BUFFER_SIZE": "1MB"])
        #expect(outcome.status == 64)
        #expect(outcome.standardError.hasPrefix("configuration error: LOG_BUFFER_SIZE: \"1MB\" is not a size"), "\(outcome.standardError)")
        #expect(outcome.standardOutput.isEmpty, "nothing is logged before the configuration is valid")
    }

    @Test("a bad value in .env in the working directory is reported the same way")
    func invalidValueInDotEnv() async throws {
        let outcome = try await Self.run(["--read-from-beginning"], environment: [:], dotEnv: "MAX_RETRIES=zero\n")
        #expect(outcome.status == 64)
        #expect(
            outcome.standardError
                == "configuration error: MAX_RETRIES: \"zero\" is not a whole number (expected an integer ≥ 1)\n"
        )
    }

    @Test("problems from flags name the flag, and every problem gets its own line")
    func flagsAndSeveralProblems() async throws {
        let outcome = try await Self.run(
            ["--brokers", "", "--kafka-property", "no.such.property=1"],
            environment: ["RETRY_DELAY": "-5"]
        )
        #expect(outcome.status == 64)
        let lines = outcome.standardError.split(separator: "\n").map(String.init)
        #expect(lines == [
            "configuration error: --brokers: must not be empty",
            "configuration error: RETRY_DELAY: \"-5\" is negative (expected a duration ≥ 0, e.g. 10 or 500ms)",
            "configuration error: --kafka-property: librdkafka rejects no.such.property=\"1\": "
                + "No such configuration property: \"no.such.property\"",
        ])
    }

    @Test("an unknown flag is a usage error too")
    func unknownFlag() async throws {
        let outcome = try await Self.run(["--no-such-flag"], environment: [:])
        #expect(outcome.status == 64)
        #expect(outcome.standardError.contains("Unknown option '--no-such-flag'"))
    }

    @Test("--version prints the service version")
    func version() async throws {
        let outcome = try await Self.run(["--version"], environment: [:])
        #expect(outcome.status == 0)
        #expect(outcome.standardOutput == ServiceVersion.current + "\n")
    }
}
