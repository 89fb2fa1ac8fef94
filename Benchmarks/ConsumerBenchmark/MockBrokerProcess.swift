import Foundation

/// The project's `mock-kafka` running as a child process for the length of the benchmark.
///
/// Its standard input is a pipe held by this object: closing it (or this process dying) is end of file
/// for mock-kafka, which then stops the cluster and exits, so no broker outlives the benchmark.
final class MockBrokerProcess {
    private let process: ChildProcess
    /// The bootstrap list mock-kafka printed, `127.0.0.1:PORT[,...]`.
    let bootstrapServers: String

    /// Starts one broker with `topics` (name, partitions) created, and waits for its BOOTSTRAP line.
    init(executable: String, topics: [(name: String, partitions: Int32)], logFile: String) throws {
        let arguments = ["--brokers", "1"] + topics.flatMap { ["--topic", "\($0.name):\($0.partitions)"] }
        process = try ChildProcess(
            name: "mock-kafka", executable: executable, arguments: arguments,
            environment: ChildEnvironment.base(),
            standardInput: .pipe, standardOutput: .pipe, standardError: .file(logFile))
        guard let line = try process.readStandardOutputLine(timeout: .seconds(30)) else {
            throw BenchmarkError("mock-kafka printed no BOOTSTRAP line within 30 s (log: \(logFile))")
        }
        let prefix = "BOOTSTRAP "
        guard line.hasPrefix(prefix), line.count > prefix.count else {
            throw BenchmarkError("mock-kafka printed \"\(line)\", expected \"BOOTSTRAP host:port,...\"")
        }
        bootstrapServers = String(line.dropFirst(prefix.count))
    }

    var pid: pid_t { process.pid }

    /// Whether mock-kafka is still running (it must be for the whole benchmark).
    var isRunning: Bool { process.pollExit() == nil }

    /// Ends mock-kafka by closing its standard input; SIGTERM, then SIGKILL, if it does not go.
    func stop() {
        process.closeStandardInput()
        if process.waitForExit(timeout: .seconds(10)) == nil {
            _ = process.stop(grace: .seconds(5))
        }
    }
}
