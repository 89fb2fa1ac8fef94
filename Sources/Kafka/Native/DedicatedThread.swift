#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts a detached OS thread for work that blocks inside librdkafka (polling, metadata requests,
/// closing). Such work must never run on Swift's cooperative thread pool, which has only one thread per
/// core: one blocked call there stalls every task of the process.
///
/// Written by hand over pthreads because the `Kafka` target does not otherwise need Foundation (whose
/// `Thread` would pull in the whole framework) and no available package offers a plain thread.
package enum DedicatedThread {
    /// Runs `body` on a new detached thread named `name` (as `top -H`, `perf` and debuggers show it; Linux
    /// keeps the first 15 bytes).
    /// - Returns: false when the thread could not be created (resource exhaustion); `body` did not run.
    @discardableResult
    package static func start(name: String, _ body: @escaping @Sendable () -> Void) -> Bool {
        let box = Unmanaged.passRetained(ThreadBody(name: name, body: body))
        var thread = pthread_t()
        // The box's +1 retain is handed to the new thread, which takes it back in `threadEntry`.
        let result = pthread_create(&thread, nil, threadEntry, box.toOpaque())
        guard result == 0 else {
            box.release()
            return false
        }
        pthread_detach(thread)
        return true
    }

    /// How a caller starts a thread: `start(name:_:)`, or in tests one that fails on purpose.
    package typealias Starter = @Sendable (_ name: String, _ body: @escaping @Sendable () -> Void) -> Bool

    /// Runs `body`, which must run and may block for a while (destroying a native handle joins
    /// librdkafka's threads), on a new thread: never on the calling thread, which may be one of the
    /// cooperative pool's few. Only when no thread can be created at all does it run here, as the last resort.
    package static func startOrRunHere(
        name: String, using starter: Starter = DedicatedThread.start(name:_:), _ body: @escaping @Sendable () -> Void
    ) {
        if !starter(name, body) { body() }
    }
}

private final class ThreadBody: Sendable {
    let name: String
    let body: @Sendable () -> Void

    init(name: String, body: @escaping @Sendable () -> Void) {
        self.name = name
        self.body = body
    }
}

#if canImport(Darwin)
private func threadEntry(_ argument: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? {
    let box = Unmanaged<ThreadBody>.fromOpaque(argument).takeRetainedValue()
    pthread_setname_np(String(box.name.utf8.prefix(63)) ?? "kafka")
    box.body()
    return nil
}
#else
private func threadEntry(_ argument: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let argument else { return nil }
    let box = Unmanaged<ThreadBody>.fromOpaque(argument).takeRetainedValue()
    setCurrentThreadName(box.name)
    box.body()
    return nil
}

/// Names the calling thread through `/proc/thread-self/comm`: Glibc's Swift module does not export the GNU
/// `pthread_setname_np`, and `prctl` is variadic, which Swift cannot call. Best effort: a failure only
/// leaves the inherited name.
private func setCurrentThreadName(_ name: String) {
    let descriptor = open("/proc/thread-self/comm", O_WRONLY)
    guard descriptor >= 0 else { return }
    defer { close(descriptor) }
    var bytes = Array(name.utf8.prefix(15))
    _ = bytes.withUnsafeMutableBytes { write(descriptor, $0.baseAddress, $0.count) }
}
#endif
