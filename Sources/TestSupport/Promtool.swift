import Foundation

/// Debian's `promtool` (package `prometheus`, installed by scripts/install-deps.sh), for the tests that lint an
/// exposition the way Prometheus's own tooling does.
public enum Promtool {
    public static let path = "/usr/bin/promtool"

    /// Whether promtool is installed here.
    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: path) }

    /// `promtool check metrics` with `exposition` on its standard input: its exit status and what it printed.
    public static func checkMetrics(_ exposition: String) throws -> (status: Int32, report: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["check", "metrics"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(exposition.utf8))
        try input.fileHandleForWriting.close()
        let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, report)
    }
}
