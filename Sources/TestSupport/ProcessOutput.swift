import Foundation

/// The result of running a helper program (python3, bash) to completion.
struct ProcessOutput: CustomStringConvertible {
    let status: Int32
    /// stdout and stderr interleaved, as a person running the command would see them.
    let output: String

    var description: String { "exit status \(status):\n\(output)" }

    /// Runs `executable` with `arguments` and waits for it.
    ///
    /// stdout and stderr share one pipe, read to its end before waiting, so a chatty child can never block
    /// on a full pipe while we wait for it to exit.
    static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String] = [:],
        in directory: URL = Repository.root
    ) throws -> ProcessOutput {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ProcessOutput(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    /// The Python that has Debian's `python3-jsonschema` and `python3-yaml` (installed by
    /// scripts/install-deps.sh): the system one, not a pyenv/virtualenv `python3` that may come first on PATH.
    static var python3: String {
        ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }
            ?? "/usr/bin/env"
    }

    static func runPython(_ arguments: [String], environment: [String: String] = [:]) throws -> ProcessOutput {
        let interpreter = python3
        let fullArguments = interpreter == "/usr/bin/env" ? ["python3"] + arguments : arguments
        return try run(interpreter, fullArguments, environment: environment)
    }
}
