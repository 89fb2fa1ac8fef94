import Synchronization

/// Where the service's log handlers put finished lines.
///
/// Handlers format a whole line (including the trailing newline) first and hand it over in one call, so a
/// writer only has to keep lines whole: lines logged from different threads never interleave.
public protocol LogLineWriter: Sendable {
    /// Writes one complete line; `line` ends with `\n`.
    func write(line: [UInt8])
}

/// Writes lines to a file descriptor (standard output by default) with `write(2)`, one line per call, in
/// the logging thread: a reader that stops reading blocks the caller. The service itself logs through
/// `NonBlockingLogWriter` for that reason, unless told not to buffer (`LOG_BUFFER_SIZE=0`); this one
/// suits tools and tests.
///
/// A lock is held across the call: one `write` of at most `PIPE_BUF` bytes to a pipe is atomic by POSIX,
/// but a longer line (a large metadata dictionary) can be written partially, and the rest of it must go
/// out before another thread's line. Nothing is buffered in the process, so a line is visible to the log
/// collector as soon as it is logged and nothing is lost when the process is killed.
public final class FileDescriptorLogWriter: LogLineWriter {
    /// The process's standard output.
    public static let standardOutput = FileDescriptorLogWriter(fileDescriptor: 1)
    /// The process's standard error.
    public static let standardError = FileDescriptorLogWriter(fileDescriptor: 2)

    private let fileDescriptor: Int32
    private let lock = Mutex(())

    /// - Parameter fileDescriptor: an open descriptor; this writer never closes it.
    public init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
    }

    public func write(line: [UInt8]) {
        lock.withLock { _ in
            // A destination that is gone or full (EAGAIN on a non-blocking pipe, EPIPE) gets the rest of
            // the line dropped: there is nowhere to report that, and blocking the service on its logs is
            // worse than losing a line.
            _ = line.withUnsafeBytes { buffer in
                FileDescriptorWriting.writeAll(buffer, to: fileDescriptor, whenFull: .dropRest)
            }
        }
    }
}

/// Keeps lines in memory, for tests that check what was logged.
public final class CapturingLogWriter: LogLineWriter {
    private let storage = Mutex<[[UInt8]]>([])

    public init() {}

    public func write(line: [UInt8]) {
        storage.withLock { $0.append(line) }
    }

    /// The lines written so far, each without its trailing newline.
    public var lines: [String] {
        storage.withLock { lines in
            lines.map { String(decoding: $0.last == UInt8(ascii: "\n") ? $0.dropLast() : $0[...], as: UTF8.self) }
        }
    }

    /// The raw bytes of the lines written so far, each with its trailing newline.
    public var rawLines: [[UInt8]] {
        storage.withLock { $0 }
    }
}
