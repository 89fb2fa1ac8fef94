import Foundation
import Synchronization

/// Reads a child's standard output pipe to its end on a thread of its own, in chunks of up to 1 MiB,
/// and hands every complete line (without its `\n`) to a handler, in order.
///
/// Why not swift-subprocess's `strings()`: it yields one line per async step on the cooperative pool,
/// which has only as many threads as cores (2 on CI machines) and is shared with every test running in
/// parallel. Under that load the reader fell far behind a service logging a line per event, the service's
/// `NonBlockingLogWriter` filled up and dropped lines, and tests saw processed events as missing. A
/// dedicated thread blocked in `read(2)` is woken by the kernel as soon as data arrives, takes whatever
/// the pipe holds in one call, and splits it with `memchr`.
final class PipeLineReader: Sendable {
    private enum State {
        case reading
        case awaited(CheckedContinuation<Void, Never>)
        case finished
    }

    private let state = Mutex(State.reading)

    /// How much one `read(2)` may take: far more than a pipe holds (64 KiB), so one call empties it.
    static let chunkSize = 1 << 20

    /// Starts reading `fileDescriptor` (a pipe's read end, owned from now on: closed at its end).
    init(fileDescriptor: Int32, name: String, onLine: @escaping @Sendable (String) -> Void) {
        let thread = Thread { [self] in
            Self.readLines(from: fileDescriptor, onLine: onLine)
            close(fileDescriptor)
            let waiting = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state = .finished }
                if case let .awaited(continuation) = state { return continuation }
                return nil
            }
            waiting?.resume()
        }
        thread.name = "stdout-\(name)"
        thread.start()
    }

    /// Returns once the pipe reached its end (every writer closed it) and every line was handed over.
    func finished() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let alreadyFinished = state.withLock { state -> Bool in
                if case .finished = state { return true }
                state = .awaited(continuation)
                return false
            }
            if alreadyFinished { continuation.resume() }
        }
    }

    private static func readLines(from fileDescriptor: Int32, onLine: (String) -> Void) {
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 1)
        defer { chunk.deallocate() }
        // The start of a line whose end is in a later chunk.
        var partialLine: [UInt8] = []
        while true {
            let count = read(fileDescriptor, chunk.baseAddress, chunk.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            let bytes = UnsafeRawBufferPointer(rebasing: chunk[0..<count])
            var lineStart = 0
            while lineStart < count,
                  let newline = memchr(bytes.baseAddress! + lineStart, 0x0A, count - lineStart) {
                let lineEnd = bytes.baseAddress!.distance(to: UnsafeRawPointer(newline))
                let piece = UnsafeRawBufferPointer(rebasing: bytes[lineStart..<lineEnd])
                if partialLine.isEmpty {
                    onLine(String(decoding: piece, as: UTF8.self))
                } else {
                    partialLine.append(contentsOf: piece)
                    onLine(String(decoding: partialLine, as: UTF8.self))
                    partialLine.removeAll(keepingCapacity: true)
                }
                lineStart = lineEnd + 1
            }
            partialLine.append(contentsOf: bytes[lineStart..<count])
        }
        if !partialLine.isEmpty { onLine(String(decoding: partialLine, as: UTF8.self)) }
    }
}
