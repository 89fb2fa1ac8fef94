import Foundation

/// The result of running a helper program (`sqlite3`, `initdb`, `promtool`, python3, bash) to completion.
///
/// Synchronous on purpose: the callers are a server's set-up on its own thread, synchronous tests and the
/// benchmarks' set-up; swift-subprocess, which the long-lived children use (`MockBroker`), is async only.
public struct ProcessOutput: Sendable, CustomStringConvertible {
    public let status: Int32
    /// stdout and stderr interleaved, as a person running the command would see them.
    public let output: String

    public var description: String { "exit status \(status):\n\(output)" }

    /// Runs `executable` with `arguments` and waits for it.
    ///
    /// stdout and stderr share one pipe, read to its end before waiting, so a chatty child can never block
    /// on a full pipe while we wait for it to exit.
    /// - Parameters:
    ///   - input: written to the program's standard input, which is then closed (none: `/dev/null`).
    ///   - environment: added to this process's environment.
    ///   - directory: the working directory (default: this process's).
    public static func run(
        _ executable: String,
        _ arguments: [String],
        input: String? = nil,
        environment: [String: String] = [:],
        in directory: URL? = nil
    ) throws -> ProcessOutput {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let inputPipe = input.map { _ in Pipe() }
        process.standardInput = inputPipe ?? FileHandle.nullDevice
        try process.run()
        if let input, let inputPipe {
            inputPipe.fileHandleForWriting.write(Data(input.utf8))
            try inputPipe.fileHandleForWriting.close()
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ProcessOutput(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    /// Like `run`, for a program that must succeed: its output, trimmed.
    /// - Throws: `ProcessFailure` (with the output) when it exits with another status than 0.
    public static func succeeding(
        _ executable: String, _ arguments: [String], input: String? = nil, in directory: URL? = nil
    ) throws -> String {
        let result = try run(executable, arguments, input: input, in: directory)
        guard result.status == 0 else { throw ProcessFailure(executable: executable, result: result) }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A helper program that exited with another status than 0.
public struct ProcessFailure: Error, CustomStringConvertible {
    public let executable: String
    public let result: ProcessOutput

    public var description: String { "\(executable) failed with \(result)" }
}
