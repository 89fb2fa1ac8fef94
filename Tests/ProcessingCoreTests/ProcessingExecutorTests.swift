import EventModel
import Foundation
import Synchronization
import Testing

@testable import ProcessingCore

@Suite("ProcessingExecutor")
struct ProcessingExecutorTests {
    /// One executor for the suite: its threads live as long as the process.
    static let executor = ProcessingExecutor(name: "exec-test", threadCount: 2, niceIncrement: 3)

    @Test("jobs run on the executor's own threads, at the lowered priority, also after a suspension")
    func runsOnItsThreadsAtLowerPriority() async {
        let expectedNice = min(19, currentThreadNice() + 3)
        let seen = await Task(executorPreference: Self.executor) { () async -> [ThreadInfo] in
            let before = ThreadInfo.current
            try? await Task.sleep(for: .milliseconds(5))
            return [before, ThreadInfo.current]
        }.value
        for info in seen {
            #expect(info.name.hasPrefix("exec-test-"), "ran on \(info.name)")
            #if os(Linux)
            #expect(info.nice == expectedNice)
            #endif
        }
    }

    @Test("many tasks, suspending on the way, all run to the end")
    func manyTasksComplete() async {
        let total = await withTaskGroup(of: Int.self) { group in
            for index in 0..<500 {
                group.addTask(executorPreference: Self.executor) {
                    var sum = 0
                    for step in 0..<3 {
                        sum += step
                        await Task.yield()
                    }
                    return ThreadInfo.current.name.hasPrefix("exec-test-") ? index + sum - 3 : -1_000_000
                }
            }
            return await group.reduce(0, +)
        }
        #expect(total == (0..<500).reduce(0, +))
    }

    @Test("the pipeline's workers process on the executor it was given")
    func pipelineProcessesOnItsExecutor() async throws {
        let executor = ProcessingExecutor(name: "pipe-test", threadCount: 1, niceIncrement: 0)
        let processor = ThreadRecordingProcessor()
        let control = RecordingControl()
        let pipelines = EventPipelineTests()
        let pipeline = pipelines.makePipeline(processor: processor, executor: executor)
        try await pipelines.processAll(0..<20, through: pipeline, control: control)
        let names = processor.threadNames
        #expect(names.count == 40, "before and after a suspension, for each of the 20 events")
        #expect(names.allSatisfy { $0 == "pipe-test-1" }, "\(Set(names))")
    }
}

/// The calling thread's name and nice value (Linux: `/proc/thread-self/comm`, `getpriority`).
struct ThreadInfo: Sendable {
    var name: String
    var nice: Int32

    static var current: ThreadInfo {
        let name = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return ThreadInfo(name: name, nice: currentThreadNice())
    }
}

func currentThreadNice() -> Int32 {
    #if os(Linux)
    return getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
    #else
    return 0
    #endif
}

/// Records the name of the thread it runs on, before and after a suspension.
final class ThreadRecordingProcessor: EventProcessor, Sendable {
    private let names = Mutex<[String]>([])

    var threadNames: [String] { names.withLock { $0 } }

    func process(_ event: EnrichedEvent, context: ProcessingContext) async throws {
        let before = ThreadInfo.current.name
        await Task.yield()
        let after = ThreadInfo.current.name
        names.withLock { $0 += [before, after] }
    }
}
