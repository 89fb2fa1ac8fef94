import Foundation

/// A real headless browser (Debian's `chromium`) for tests of the status page: loads a URL, lets its
/// scripts run (`--virtual-time-budget` lets a `fetch()` finish) and returns the resulting DOM.
public enum HeadlessBrowser {
    /// The `chromium` binary: `CHROMIUM_PATH`, else `/usr/bin/chromium`.
    public static var executablePath: String {
        ProcessInfo.processInfo.environment["CHROMIUM_PATH"] ?? "/usr/bin/chromium"
    }

    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: executablePath) }

    /// The DOM of `url` after its scripts ran, serialised as HTML. The browser runs on a thread of its
    /// own (its output is read there), never blocking Swift's cooperative pool.
    /// - Parameter timeout: a hang bound for the whole browser run.
    public static func dumpDOM(of url: String, timeout: TimeInterval = 90) async throws -> String {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executablePath)
        // --no-sandbox: tests may run as root; a profile of its own so parallel runs do not share one.
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--user-data-dir=\(profile.path)", "--virtual-time-budget=3000", "--dump-dom", url,
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let pid = process.processIdentifier
        let running = RunningBrowser(process: process)
        let timer = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: timer)
        let data: Data = await withCheckedContinuation { continuation in
            let reader = Thread {
                // Ends when chromium exits (or is killed by the timer) and closes its output.
                let data = output.fileHandleForReading.readDataToEndOfFile()
                running.process.waitUntilExit()
                continuation.resume(returning: data)
            }
            reader.start()
        }
        timer.cancel()
        guard process.terminationReason == .exit else { throw HeadlessBrowserError.timedOut }
        return String(decoding: data, as: UTF8.self)
    }
}

/// `Process` is not Sendable; the reader thread only waits for it to exit.
private final class RunningBrowser: @unchecked Sendable {
    let process: Process
    init(process: Process) { self.process = process }
}

public enum HeadlessBrowserError: Error {
    case timedOut
}
