import Foundation

/// Reads lines from a pipe with `read(2)`, retrying on EINTR. Foundation's `FileHandle` reading traps on
/// EINTR (a `try!` inside it), and a child's exit (SIGCHLD) interrupts reads.
public final class PipeReader: @unchecked Sendable {
    // Used by one thread at a time: the starting thread, then the draining one.
    private let descriptor: Int32
    private var pending: [UInt8] = []
    private var atEnd = false

    public init(_ descriptor: Int32) { self.descriptor = descriptor }

    /// The next line without its newline; nil at end of file. Blocks the calling thread.
    public func nextLine() -> String? {
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return line
            }
            if atEnd {
                guard !pending.isEmpty else { return nil }
                defer { pending = [] }
                return String(decoding: pending, as: UTF8.self)
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 {
                atEnd = true
            } else {
                pending += chunk[..<count]
            }
        }
    }

    /// ``nextLine()`` on a thread of its own, so that waiting never holds a cooperative-pool thread.
    public func nextLineOffPool() async -> String? {
        await OffPool.run { self.nextLine() }
    }
}
