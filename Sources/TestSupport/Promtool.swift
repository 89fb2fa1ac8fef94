import Foundation

/// Debian's `promtool` (package `prometheus`, installed by scripts/install-deps.sh), for the tests that lint an
/// exposition the way Prometheus's own tooling does.
public enum Promtool {
    /// The `promtool` binary: `PROMTOOL_PATH`, else `/usr/bin/promtool` (as `PrometheusServer.executablePath`).
    public static var path: String {
        ProcessInfo.processInfo.environment["PROMTOOL_PATH"] ?? "/usr/bin/promtool"
    }

    /// Whether promtool is installed here.
    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: path) }

    /// `promtool check metrics` with `exposition` on its standard input: its exit status and what it printed.
    public static func checkMetrics(_ exposition: String) throws -> (status: Int32, report: String) {
        let result = try ProcessOutput.run(path, ["check", "metrics"], input: exposition)
        return (result.status, result.output)
    }
}
