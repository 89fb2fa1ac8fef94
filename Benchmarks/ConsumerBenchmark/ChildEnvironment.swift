import Foundation

/// The environment children start with.
enum ChildEnvironment {
    /// Only what a program needs to run (PATH, HOME, locale, temp dir) from this process's environment:
    /// the service is configured by environment variables, and a stray `KAFKA_*` or `LOG_LEVEL` in the
    /// operator's shell must not change what is measured. (The benchmark's working directory is a fresh
    /// temporary one for the same reason: the service would read a `.env` file there.)
    static func base() -> [String: String] {
        let inherited = ProcessInfo.processInfo.environment
        var environment: [String: String] = [:]
        for name in ["PATH", "HOME", "TMPDIR", "LANG", "LC_ALL"] {
            if let value = inherited[name] { environment[name] = value }
        }
        return environment
    }
}
