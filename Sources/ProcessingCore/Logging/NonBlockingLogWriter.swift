#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The service's log destination: lines go into a bounded in-memory buffer, and a thread of its own
/// writes the buffer to the file descriptor. A thread that logs never waits for the log reader.
///
/// Why: with standard output a pipe that nobody reads (a stuck log shipper, a paused `docker logs`),
/// `write(2)` blocks once the pipe's 64 KiB are full. Writing in the logging thread then froze the poll
/// thread, librdkafka's own threads (their log callback), every worker and the shutdown path (issue 11,
/// item 3). Here a full buffer drops the line instead and counts it; once the writer gets rid of the
/// backlog it writes `N log lines dropped` (as a warning in the service's log format) after the lines it
/// had kept, so a gap in the log is always visible.
///
/// Cost per line: one uncontended mutex round-trip and a copy into the buffer, instead of the mutex plus
/// one `write(2)` per line of the writer this replaces; the writer thread makes one `write(2)` per batch.
/// The logging thread signals the writer only when it is idle, so a busy log costs no extra wake-ups.
///
/// Hand-written because neither swift-log nor the other packages available here have a bounded,
/// dropping, asynchronous writer; it needs a condition variable (waiting for work, and `flush` waiting
/// for the backlog with a deadline), which `Synchronization.Mutex` does not offer, hence pthreads.
public final class NonBlockingLogWriter: LogLineWriter, @unchecked Sendable {
    // `@unchecked`: every mutable stored property is only touched with `mutex` held.

    /// How many bytes of lines may wait for the reader before lines are dropped: 1 MiB, on top of the
    /// pipe's own buffer (64 KiB on Linux). About 3,500 `Processing event` lines.
    public static let defaultCapacity = 1 << 20

    /// The largest buffer `LOG_BUFFER_SIZE` may ask for, 1 GiB: the buffer is reserved twice (it is swapped
    /// with the writer's batch), and a log that far behind is better dropped than held.
    public static let maximumCapacity = 1 << 30

    private let fileDescriptor: Int32
    private let capacity: Int
    private let droppedLine: @Sendable (Int) -> [UInt8]

    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    /// Signalled when lines arrive while the writer thread waits for some.
    private let linesArrived: UnsafeMutablePointer<pthread_cond_t>
    /// Broadcast whenever the writer thread finished writing a batch (for `flush`).
    private let batchWritten: UnsafeMutablePointer<pthread_cond_t>

    private var pending: [UInt8]
    private var droppedLines = 0
    private var writerIsWaiting = false
    private var writerIsWriting = false

    /// Starts the writer thread.
    /// - Parameters:
    ///   - fileDescriptor: an open descriptor (standard output in the service); never closed here.
    ///   - capacity: bytes of lines buffered at most; a line that does not fit is dropped and counted.
    ///   - droppedLine: renders the complete line (with its `\n`) that reports `count` dropped lines.
    public init(
        fileDescriptor: Int32,
        capacity: Int = NonBlockingLogWriter.defaultCapacity,
        droppedLine: @escaping @Sendable (Int) -> [UInt8] = NonBlockingLogWriter.plainDroppedLine
    ) {
        self.fileDescriptor = fileDescriptor
        self.capacity = max(1, capacity)
        self.droppedLine = droppedLine
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        linesArrived = .allocate(capacity: 1)
        pthread_cond_init(linesArrived, nil)
        batchWritten = .allocate(capacity: 1)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        // `flush` waits against a deadline: on the monotonic clock, so a clock step cannot stretch it.
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(batchWritten, &attributes)
        pthread_condattr_destroy(&attributes)
        // Reserved once (pages are only touched when used); `pending` and the writer's batch buffer are
        // swapped, never reallocated, so logging allocates nothing in the steady state.
        pending = []
        pending.reserveCapacity(self.capacity)
        startWriterThread()
    }

    /// The line reporting dropped lines when no log format is known: `N log lines dropped`.
    public static let plainDroppedLine: @Sendable (Int) -> [UInt8] = { count in
        Array("\(count) log lines dropped (the log reader did not keep up)\n".utf8)
    }

    public func write(line: [UInt8]) {
        pthread_mutex_lock(mutex)
        if pending.count + line.count > capacity {
            droppedLines += 1
        } else {
            pending.append(contentsOf: line)
        }
        if writerIsWaiting { pthread_cond_signal(linesArrived) }
        pthread_mutex_unlock(mutex)
    }

    /// Waits until everything logged so far has been written, or until `timeout` has passed (a reader
    /// that stopped reading must not hold up the process's exit). Returns whether everything was written.
    @discardableResult
    public func flush(timeout: Duration) -> Bool {
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let (seconds, attoseconds) = timeout.components
        let nanoseconds = Int(deadline.tv_nsec) + Int(attoseconds / 1_000_000_000)
        deadline.tv_sec += time_t(seconds) + time_t(nanoseconds / 1_000_000_000)
        deadline.tv_nsec = .init(nanoseconds % 1_000_000_000)

        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !pending.isEmpty || droppedLines > 0 || writerIsWriting {
            if pthread_cond_timedwait(batchWritten, mutex, &deadline) == ETIMEDOUT { return false }
        }
        return true
    }

    // MARK: The writer thread

    private func startWriterThread() {
        let box = Unmanaged.passRetained(self)  // The thread owns one reference; the writer lives forever.
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { argument in
            guard let argument else { return nil }
            let writer = Unmanaged<NonBlockingLogWriter>.fromOpaque(argument).takeRetainedValue()
            writer.runWriter()
            return nil
        }, box.toOpaque())
        if started == 0 {
            pthread_detach(thread)
        } else {
            box.release()
        }
    }

    private func runWriter() {
        // A reader that closed the pipe makes `write` raise SIGPIPE, which would kill the process: blocked
        // here (the signal is raised in the writing thread), `write` fails with EPIPE instead.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &signals, nil)

        var batch: [UInt8] = []
        batch.reserveCapacity(capacity)
        pthread_mutex_lock(mutex)
        while true {
            while pending.isEmpty && droppedLines == 0 {
                writerIsWaiting = true
                pthread_cond_wait(linesArrived, mutex)
                writerIsWaiting = false
            }
            swap(&batch, &pending)
            let dropped = droppedLines
            droppedLines = 0
            writerIsWriting = true
            pthread_mutex_unlock(mutex)

            // The lines kept while others were dropped were all accepted before the drops (the buffer was
            // full from then on), so the report goes after them.
            writeAll(batch)
            if dropped > 0 { writeAll(droppedLine(dropped)) }
            batch.removeAll(keepingCapacity: true)

            pthread_mutex_lock(mutex)
            writerIsWriting = false
            pthread_cond_broadcast(batchWritten)
        }
    }

    /// Writes all of `bytes`, waiting for the descriptor as long as it takes (only this thread waits);
    /// a destination that is gone (EPIPE, EBADF) leaves nowhere to write this batch.
    private func writeAll(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { buffer in
            FileDescriptorWriting.writeAll(buffer, to: fileDescriptor, whenFull: .wait)
        }
    }
}
