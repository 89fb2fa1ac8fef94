import Foundation

/// Reads lines from a pipe on a dedicated thread and hands them out one at a time, with a deadline.
///
/// Reading a pipe blocks, so it runs on its own thread (never on Swift's cooperative pool); callers wait on
/// a condition variable with a timeout instead, which lets them give up on a child that went silent.
final class LineReader: @unchecked Sendable {
    // All mutable state below is guarded by `condition`.
    private let condition = NSCondition()
    private var lines: [String] = []
    private var pending = Data()
    private var reachedEnd = false

    /// Starts reading `handle` until end of file. The thread ends at EOF (when the child exits or closes
    /// its output).
    init(reading handle: FileHandle, name: String) {
        let thread = Thread { [self] in
            while true {
                let chunk = handle.availableData
                self.append(chunk)
                if chunk.isEmpty { return }
            }
        }
        thread.name = name
        thread.start()
    }

    /// The next line (without its newline), or nil at end of file.
    /// - Throws: `MockBrokerError.timedOut` when no line arrives before `deadline`.
    func nextLine(before deadline: Date, waitingFor what: String) throws -> String? {
        condition.lock()
        defer { condition.unlock() }
        while lines.isEmpty && !reachedEnd {
            if !condition.wait(until: deadline) {
                throw MockBrokerError.timedOut(what)
            }
        }
        return lines.isEmpty ? nil : lines.removeFirst()
    }

    private func append(_ chunk: Data) {
        condition.lock()
        defer { condition.unlock() }
        if chunk.isEmpty {
            if !pending.isEmpty { lines.append(String(decoding: pending, as: UTF8.self)) }
            pending.removeAll()
            reachedEnd = true
        } else {
            pending.append(chunk)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                lines.append(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                pending.removeSubrange(pending.startIndex...newline)
            }
        }
        condition.broadcast()
    }
}
