#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `write(2)` until every byte is out, the one loop both log writers use.
enum FileDescriptorWriting {
    /// What to do when the descriptor is non-blocking and full (`EAGAIN`); someone else may have made it
    /// non-blocking, since standard output can be shared.
    enum WhenFull {
        /// Wait until it is writable (a thread that may wait: `NonBlockingLogWriter`'s own).
        case wait
        /// Give up on the rest (a thread that must not wait for the reader).
        case dropRest
    }

    /// Writes all of `bytes` to `fileDescriptor`, retrying on `EINTR`. Stops early when the destination
    /// is gone (`EPIPE`, `EBADF`: there is nowhere to write to, and nowhere to report that) or, with
    /// `.dropRest`, full. Returns whether every byte was written.
    @discardableResult
    static func writeAll(_ bytes: UnsafeRawBufferPointer, to fileDescriptor: Int32, whenFull: WhenFull) -> Bool {
        guard var next = bytes.baseAddress else { return true }
        var remaining = bytes.count
        while remaining > 0 {
            let written = systemWrite(fileDescriptor, next, remaining)
            if written > 0 {
                next += written
                remaining -= written
            } else if written < 0 && errno == EINTR {
                continue
            } else if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && whenFull == .wait {
                var descriptor = pollfd(fd: fileDescriptor, events: Int16(POLLOUT), revents: 0)
                _ = poll(&descriptor, 1, -1)
            } else {
                return false
            }
        }
        return true
    }
}

/// The C library's `write`, named apart from `LogLineWriter.write(line:)`.
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Darwin)
    Darwin.write(fd, buffer, count)
    #elseif canImport(Musl)
    Musl.write(fd, buffer, count)
    #else
    Glibc.write(fd, buffer, count)
    #endif
}
