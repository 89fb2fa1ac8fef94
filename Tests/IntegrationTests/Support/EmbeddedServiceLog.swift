import Foundation
import Logging
import ProcessingCore
import Synchronization

/// Collects the JSON log lines of a service running inside the test process, parsed, so that a test can
/// assert on what the service logged (rebalances, dead letters, halted partitions).
final class EmbeddedServiceLog: LogLineWriter {
    /// One parsed JSON log line.
    struct Line: Sendable {
        var level: String
        var message: String
        var metadata: [String: String]
    }

    private let lines = Mutex<[Line]>([])
    /// Also echo every line to standard error, for debugging a failing test (`FAULT_TEST_ECHO_LOGS=1`).
    private let echo = ProcessInfo.processInfo.environment["FAULT_TEST_ECHO_LOGS"] == "1"

    func write(line: [UInt8]) {
        if echo { FileHandle.standardError.write(Data(line)) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else { return }
        var metadata: [String: String] = [:]
        for (key, value) in object["metadata"] as? [String: Any] ?? [:] { metadata[key] = "\(value)" }
        let parsed = Line(level: object["level"] as? String ?? "", message: object["message"] as? String ?? "", metadata: metadata)
        lines.withLock { $0.append(parsed) }
    }

    /// Every line so far.
    var all: [Line] { lines.withLock { $0 } }

    /// Lines whose message starts with `prefix`.
    func lines(startingWith prefix: String) -> [Line] {
        lines.withLock { $0.filter { $0.message.hasPrefix(prefix) } }
    }

    /// A logger writing JSON lines here.
    func logger(level: Logger.Level = .info) -> Logger {
        LoggingSetup.makeLogger(format: .json, level: level, writer: self)
    }
}
