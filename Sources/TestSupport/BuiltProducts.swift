import Foundation

/// Finds this package's executables (`mock-kafka`, `event-producer`, `processing-service`) for tests that
/// launch them as separate processes.
///
/// `swift test` builds every executable the test targets depend on into the build products directory
/// (e.g. `.build/debug/`). On Linux the test runner itself, `processing-servicePackageTests.xctest`, sits in
/// that same directory; on macOS it is a bundle there. So the executables are looked up next to the
/// running test binary, walking up a few directories for the bundle layout.
public enum BuiltProducts {
    /// The environment variable that overrides where `name` is found: `mock-kafka` → `MOCK_KAFKA_PATH`.
    public static func environmentVariable(for name: String) -> String {
        name.uppercased().replacingOccurrences(of: "-", with: "_") + "_PATH"
    }

    /// The URL of the built executable `name`.
    ///
    /// An explicit `<NAME>_PATH` environment variable (see `environmentVariable(for:)`) wins, so a test run
    /// can point at binaries built elsewhere; otherwise the build products directory of the running tests.
    /// - Throws: `BuiltProductsError.notFound` listing every place that was searched.
    public static func executableURL(named name: String) throws -> URL {
        let variable = environmentVariable(for: name)
        if let override = ProcessInfo.processInfo.environment[variable], !override.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: override) else {
                throw BuiltProductsError.notFound(name: name, searched: ["\(variable)=\(override) (not an executable file)"])
            }
            return URL(fileURLWithPath: override)
        }
        var searched: [String] = []
        for directory in candidateDirectories() {
            let candidate = directory.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) {
                return candidate
            }
            searched.append(directory.path)
        }
        throw BuiltProductsError.notFound(name: name, searched: searched + ["$\(variable) (not set)"])
    }

    /// The directories holding the running test binary and up to three of their parents (the macOS
    /// `.xctest` bundle puts the binary at `X.xctest/Contents/MacOS/X`).
    private static func candidateDirectories() -> [URL] {
        var starts: [URL] = []
        if let executable = Bundle.main.executableURL { starts.append(executable) }
        starts.append(URL(fileURLWithPath: CommandLine.arguments.first ?? ""))
        starts += Bundle.allBundles.map(\.bundleURL).filter { $0.pathExtension == "xctest" }

        var directories: [URL] = []
        for start in starts where !start.path.isEmpty {
            var directory = start.resolvingSymlinksInPath().deletingLastPathComponent()
            for _ in 0..<4 {
                if !directories.contains(directory) { directories.append(directory) }
                directory = directory.deletingLastPathComponent()
            }
        }
        return directories
    }
}

/// A built executable could not be found.
public enum BuiltProductsError: Error, CustomStringConvertible {
    case notFound(name: String, searched: [String])

    public var description: String {
        switch self {
        case let .notFound(name, searched):
            return "executable '\(name)' not found (build it with `swift build`); searched: \(searched.joined(separator: ", "))"
        }
    }
}
