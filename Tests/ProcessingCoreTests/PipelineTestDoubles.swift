import EventModel
import Foundation
import Kafka
import Logging
import Synchronization
import Testing

@testable import ProcessingCore

// Test doubles shared by the pipeline's unit tests: the consumer side (`RecordingControl`), processors,
// a dead-letter sink, a log capture, and a stage after processing that holds work back.

/// Polls `condition` until it holds; fails the test after a generous bound (a hang guard, not a timing claim).
func eventually(timeout: Duration = .seconds(30), _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("condition not met within \(timeout)")
            throw CancellationError()
        }
        try await Task.sleep(for: .milliseconds(5))
    }
}

final class RecordingControl: ConsumerControl {
    enum Request: Equatable {
        case store(TopicPartition, Int64), pause(TopicPartition), resume(TopicPartition)
        var isStore: Bool { if case .store = self { true } else { false } }
    }
    private let log = Mutex<[Request]>([])
    var requests: [Request] { log.withLock { $0 } }
    func lastStored(_ partition: TopicPartition) -> Int64? {
        requests.reversed().lazy.compactMap { if case .store(partition, let offset) = $0 { offset } else { nil } }.first
    }
    func storeOffsets(_ offsets: [TopicPartitionOffset]) { log.withLock { $0 += offsets.map { .store($0.topicPartition, $0.offset) } } }
    func pause(_ partitions: [TopicPartition]) { log.withLock { $0 += partitions.map { .pause($0) } } }
    func resume(_ partitions: [TopicPartition]) { log.withLock { $0 += partitions.map { .resume($0) } } }
}

struct TransientFailure: Error {}

final class RecordingProcessor: EventProcessor {
    private struct State {
        var offsets: [Int64] = []
        var attempts: [Int64: Int] = [:]
        var blocked = false
        var gate: CheckedContinuation<Void, Never>?
        var released = false
    }
    private let state = Mutex(State())
    private let failuresBeforeSuccess: [Int64: Int]
    private let blockAt: Int64?

    init(failuresBeforeSuccess: [Int64: Int] = [:], blockAt: Int64? = nil) {
        self.failuresBeforeSuccess = failuresBeforeSuccess
        self.blockAt = blockAt
    }

    var offsets: [Int64] { state.withLock { $0.offsets } }
    var isBlocked: Bool { state.withLock { $0.blocked } }
    func attempts(at offset: Int64) -> Int { state.withLock { $0.attempts[offset] ?? 0 } }

    func unblock() {
        let gate = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.released = true
            defer { state.gate = nil }
            return state.gate
        }
        gate?.resume()
    }

    func process(_ event: EnrichedEvent, context: ProcessingContext) async throws {
        let attempt = state.withLock { state -> Int in
            state.attempts[context.offset, default: 0] += 1
            return state.attempts[context.offset]!
        }
        if context.offset == blockAt {
            await withCheckedContinuation { continuation in
                state.withLock { state in
                    if state.released { continuation.resume() } else { state.gate = continuation; state.blocked = true }
                }
            }
        }
        if attempt <= failuresBeforeSuccess[context.offset, default: 0] { throw TransientFailure() }
        state.withLock { $0.offsets.append(context.offset) }
    }
}

/// Records which entry point the pipeline used for each attempt; fails chosen offsets' first attempts.
final class EntryPointRecordingProcessor: SynchronousEventProcessor {
    enum EntryPoint { case synchronous, asynchronous }
    struct Call: Equatable {
        var offset: Int64
        var attempt: Int
        var entryPoint: EntryPoint
    }
    private let log = Mutex<[Call]>([])
    /// Offset -> how many attempts fail before one succeeds.
    private let failingAttempts: [Int64: Int]
    init(failingAttempts: [Int64: Int]) { self.failingAttempts = failingAttempts }
    var calls: [Call] { log.withLock { $0 } }

    func processSynchronously(_ event: EnrichedEvent, context: ProcessingContext) throws {
        try record(context, .synchronous)
    }

    func process(_ event: EnrichedEvent, context: ProcessingContext) async throws {
        try record(context, .asynchronous)
    }

    private func record(_ context: ProcessingContext, _ entryPoint: EntryPoint) throws {
        log.withLock { $0.append(Call(offset: context.offset, attempt: context.attempt, entryPoint: entryPoint)) }
        if context.attempt <= failingAttempts[context.offset, default: 0] { throw TransientFailure() }
    }
}

final class RecordingSink: DeadLetterSink {
    private let state = Mutex<(letters: [DeadLetter], attempts: Int)>(([], 0))
    private let failuresBeforeSuccess: Int
    init(failuresBeforeSuccess: Int = 0) { self.failuresBeforeSuccess = failuresBeforeSuccess }
    var letters: [DeadLetter] { state.withLock { $0.letters } }
    var sendAttempts: Int { state.withLock { $0.attempts } }
    func send(_ letter: DeadLetter) async throws {
        try state.withLock { state in
            state.attempts += 1
            guard state.attempts > failuresBeforeSuccess else { throw TransientFailure() }
            state.letters.append(letter)
        }
    }
}

/// Collects the messages logged through loggers made by `logger()`, to wait for log lines as signals.
final class LogCapture: Sendable {
    private let messages = Mutex<[String]>([])

    func logger(level: Logger.Level = .info) -> Logger {
        var logger = Logger(label: "test") { _ in Handler(capture: self) }
        logger.logLevel = level
        return logger
    }

    func count(containing text: String) -> Int {
        messages.withLock { $0.filter { $0.contains(text) }.count }
    }

    fileprivate func append(_ message: String) { messages.withLock { $0.append(message) } }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) { capture.append(event.message.description) }
    }
}

/// A `ProcessedEventStage` that keeps every work it is given until the test marks it finished; its
/// first `accept` can be made to wait until `unblock()`, like a sink whose store is down.
final class HoldingStage: ProcessedEventStage {
    private struct State {
        var works: [ProcessedWork] = []
        var blockFirstAccept: Bool
        var isBlocked = false
        var gate: CheckedContinuation<Void, Never>?
        var drains = 0
    }
    private let state: Mutex<State>
    /// What `drain()` does besides counting: mark everything held finished (as a sink would).
    private let drainMarksFinished: Bool

    init(blockFirstAccept: Bool = false, drainMarksFinished: Bool = true) {
        state = Mutex(State(blockFirstAccept: blockFirstAccept))
        self.drainMarksFinished = drainMarksFinished
    }

    var works: [ProcessedWork] { state.withLock { $0.works } }
    var isBlocked: Bool { state.withLock { $0.isBlocked } }
    var drains: Int { state.withLock { $0.drains } }
    /// The end position of the last work received for `partition`.
    func through(_ partition: TopicPartition) -> Int64? {
        works.last { $0.topicPartition == partition }?.through
    }

    func unblock() {
        state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.blockFirstAccept = false
            defer { state.gate = nil }
            return state.gate
        }?.resume()
    }

    func markAllFinished() {
        for work in works { work.markFinished() }
    }

    func accept(_ work: ProcessedWork) async {
        await withCheckedContinuation { continuation in
            state.withLock { state in
                state.works.append(work)
                if state.blockFirstAccept {
                    state.blockFirstAccept = false
                    state.isBlocked = true
                    state.gate = continuation
                } else {
                    continuation.resume()
                }
            }
        }
    }

    func drain() async {
        state.withLock { $0.drains += 1 }
        if drainMarksFinished { markAllFinished() }
    }
}
