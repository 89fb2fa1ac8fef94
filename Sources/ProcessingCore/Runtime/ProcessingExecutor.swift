import DequeModule
import Foundation
import Kafka

/// The threads partition workers run on: a `TaskExecutor` of their own, one thread per core, scheduled
/// below librdkafka's threads and the consumer's poll thread (nice +5 on Linux).
///
/// Why a lower priority: the workers process what librdkafka's broker thread fetches and decompresses.
/// On Swift's cooperative pool they competed with that thread on equal terms; on two cores, with four
/// threads busy, the broker thread spent 0.22–0.26 s of a ~0.8 s benchmark window runnable but waiting for
/// a core (`/proc/<tid>/schedstat`), the prefetch queue ran dry, and the workers then idled too. Ranked
/// below the fetch path, the workers take the CPU it leaves, which keeps records flowing: the broker
/// thread's wait fell to 0.17–0.18 s at the same CPU time. Processing still gets every core the fetch path
/// does not use, and CFS gives a nice +5 thread about a quarter of a contended core, so it is never starved.
///
/// Why threads of its own rather than renicing the cooperative pool's: the priority applies to processing
/// only, and a processor that blocks (it should not, but user code does) holds up other partitions'
/// processing, not the rest of the process (signal handling, the commit timer, shutdown).
///
/// The threads start on first use and live as long as the process, like the cooperative pool's. Jobs run
/// in the order they were enqueued. Written by hand: none of the packages this one depends on offers a
/// `TaskExecutor` whose threads run at a priority of their own.
public final class ProcessingExecutor: TaskExecutor, @unchecked Sendable {
    /// The executor partition workers use unless told otherwise: one thread per active core.
    public static let shared = ProcessingExecutor(
        name: "processing", threadCount: ProcessInfo.processInfo.activeProcessorCount, niceIncrement: 5)

    /// Threads running jobs.
    public let threadCount: Int
    /// How much lower than the process's priority the threads run (added to the nice value, on Linux).
    public let niceIncrement: Int32

    // Guarded by `condition`: the jobs not started yet, oldest first. A ring buffer, so taking the oldest
    // is O(1) and a long backlog's slots are reused rather than left behind.
    private let condition = NSCondition()
    private var pending = Deque<UnownedJob>()

    /// Starts `threadCount` threads named `name-1`, `name-2`, ...
    public init(name: String, threadCount: Int, niceIncrement: Int32) {
        self.threadCount = max(1, threadCount)
        self.niceIncrement = max(0, niceIncrement)
        for index in 1...self.threadCount {
            let started = DedicatedThread.start(name: "\(name)-\(index)") { [self] in runJobs() }
            precondition(started, "could not start processing thread \(index)")
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        pending.append(job)
        condition.signal()
        condition.unlock()
    }

    /// A thread's life: lower its priority, then run jobs forever.
    private func runJobs() {
        Self.lowerCurrentThreadPriority(by: niceIncrement)
        let executor = asUnownedTaskExecutor()
        while true {
            condition.lock()
            while pending.isEmpty { condition.wait() }
            let job = pending.removeFirst()
            condition.unlock()
            job.runSynchronously(on: executor)
        }
    }

    /// Adds `increment` to the calling thread's nice value. On Linux, `setpriority(PRIO_PROCESS, 0, ...)`
    /// applies to the calling thread only (man 2 setpriority, "Linux notes"); elsewhere it would apply to
    /// the whole process, so nothing is done. Best effort: a refusal leaves the priority as it was.
    static func lowerCurrentThreadPriority(by increment: Int32) {
        #if os(Linux)
        guard increment > 0 else { return }
        errno = 0
        let current = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        guard errno == 0 else { return }
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, min(19, current + increment))
        #endif
    }
}
