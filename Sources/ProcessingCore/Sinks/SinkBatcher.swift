import Kafka
import Logging
import Synchronization

/// The sink stage: collects processed events into batches, writes each batch to an ``EventSink``, and
/// releases a partition's offsets only past events that are durable.
///
/// - **Batches**: a batch is written when it holds `batchSize` events or when its first event has waited
///   `batchTimeout`, whichever comes first. Batches mix partitions; a partition's events keep their order
///   (they are submitted in order, batches are written in the order they were formed). One batch is written
///   at a time while the next one fills.
/// - **Offsets**: ``submit(_:)`` and ``markFinished(_:next:)`` are how the pipeline hands over finished
///   work; `onRelease` is called with the positions that may now be stored (the next offset to read, per
///   partition), in order, each at most once and only forwards. See ``SinkPositions`` for the rule.
/// - **Store down**: the batch is retried with backoff for as long as it takes; events keep arriving and
///   wait in later batches (the pipeline's flow control pauses fetching while too much waits); nothing is
///   skipped and nothing is released. ``isStoreReachable`` says so meanwhile (readiness).
/// - **Rejected events**: see ``SinkBatchWriter``.
///
/// Threads: `submit`, `markFinished` and `forget` are called from the processing threads or the poll
/// thread; ``run()`` runs in a task of its own. They meet under one lock, taken once per call (per slice of
/// events, not per event). `onRelease` is called under that lock, so releases of one partition arrive in
/// order: it must not call back into the batcher.
public final class SinkBatcher: Sendable {
    private struct Batch {
        var events: [SinkEvent] = []
        var firstOffsets: SinkPositions.BatchFirstOffsets = [:]
        var openedAt: ContinuousClock.Instant?
    }

    private struct State {
        /// The batch being filled.
        var open = Batch()
        /// Full batches waiting for the write in progress, oldest first.
        var closed: [Batch] = []
        /// The first offsets of the batch being written.
        var writing: SinkPositions.BatchFirstOffsets?
        var positions = SinkPositions()
        /// The run loop, when it waits for events or for the open batch's deadline.
        var waiter: CheckedContinuation<Void, Never>?
        /// `finish()` was called: write what is left without waiting, then end.
        var finishing = false
        /// Callers of `waitForRoom` waiting for the stage to hold fewer events, by id.
        var roomWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextRoomWaiter = 0
        /// Events submitted and not yet settled.
        var pendingCount = 0

        /// Pending batches' first offsets, oldest first.
        var pending: [SinkPositions.BatchFirstOffsets] {
            var all: [SinkPositions.BatchFirstOffsets] = []
            all.reserveCapacity(closed.count + 2)
            if let writing { all.append(writing) }
            all.append(contentsOf: closed.lazy.map(\.firstOffsets))
            if !open.events.isEmpty { all.append(open.firstOffsets) }
            return all
        }

        mutating func takeWaiter() -> CheckedContinuation<Void, Never>? {
            defer { waiter = nil }
            return waiter
        }
    }

    private let state = Mutex(State())
    private let settings: SinkBatchSettings
    private let writer: SinkBatchWriter
    private let onRelease: @Sendable ([TopicPartitionOffset]) -> Void
    /// The sink's counters.
    public let statistics: SinkStatistics

    /// - Parameters:
    ///   - sink: the store.
    ///   - deadLetters: where rejected events go; `nil` when dead-lettering is disabled (a rejected event
    ///     then stops its partition's offsets where it is).
    ///   - pipelineStatistics: the pipeline's counters, where each event the store rejected and the batcher
    ///     dead-lettered counts as a dead letter of class `sink_rejected`, like the pipeline's own.
    ///   - onRelease: receives the positions that may be stored; called under the batcher's lock.
    public init(
        sink: any EventSink,
        deadLetters: (any DeadLetterSink)?,
        settings: SinkBatchSettings,
        statistics: SinkStatistics = SinkStatistics(),
        pipelineStatistics: ProcessingStatistics? = nil,
        observer: any SinkObserver = NoSinkObserver(),
        logger: Logger,
        onRelease: @escaping @Sendable ([TopicPartitionOffset]) -> Void
    ) {
        self.settings = settings
        self.statistics = statistics
        self.onRelease = onRelease
        self.writer = SinkBatchWriter(
            sink: sink, deadLetters: deadLetters, settings: settings, statistics: statistics,
            pipelineStatistics: pipelineStatistics, observer: observer, logger: logger)
    }

    /// Whether the store took the last write (or open) attempt; false while it is unavailable.
    public var isStoreReachable: Bool { writer.reachable.load(ordering: .relaxed) }

    // MARK: Handing over work

    /// Hands processed events to the stage, in offset order per partition. Everything of each event's
    /// partition up to it counts as finished once the event is durable; with `through`, everything of
    /// `partition` before it (events without a store write, e.g. dead-lettered, included) — one lock for
    /// a worker's whole run.
    public func submit(_ events: some Collection<SinkEvent>, through: (partition: TopicPartition, next: Int64)? = nil) {
        guard !events.isEmpty else {
            if let through { markFinished(through.partition, next: through.next) }
            return
        }
        state.withLock { state in
            state.pendingCount += events.count
            let wasIdle = state.open.events.isEmpty && state.closed.isEmpty
            var run: (partition: TopicPartition, first: Int64, next: Int64)?
            for event in events {
                if state.open.events.count >= settings.batchSize { close(&state) }
                if state.open.events.isEmpty { state.open.openedAt = .now }
                let partition = event.topicPartition
                // Once per run of one partition's events, not per event: a dictionary look-up hashes the topic.
                if partition != run?.partition || state.open.events.isEmpty {
                    if let run { state.positions.submitted(run.partition, first: run.first, next: run.next) }
                    if state.open.firstOffsets[partition] == nil { state.open.firstOffsets[partition] = event.offset }
                    run = (partition, event.offset, event.offset)
                }
                run!.next = event.offset + 1
                state.open.events.append(event)
            }
            if let run { state.positions.submitted(run.partition, first: run.first, next: run.next) }
            if let through { state.positions.submitted(through.partition, first: nil, next: through.next) }
            if state.open.events.count >= settings.batchSize { close(&state) }
            // The run loop waits for a first event (then for the deadline) or for a full batch.
            if wasIdle || !state.closed.isEmpty { state.takeWaiter()?.resume() }
        }
    }

    /// Everything of `partition` before `next` is finished without needing the store (e.g. dead-lettered
    /// by the pipeline): released as soon as no earlier event of the partition is waiting for the store.
    public func markFinished(_ partition: TopicPartition, next: Int64) {
        state.withLock { state in
            state.positions.submitted(partition, first: nil, next: next)
            release([partition], &state)
        }
    }

    /// The partition was revoked or lost: release nothing more for it. Its events already in batches are
    /// still written (harmless: the store is idempotent), but they no longer hold anything back.
    public func forget(_ partition: TopicPartition) {
        state.withLock { state in
            state.positions.forget(partition)
            state.open.firstOffsets[partition] = nil
            for index in state.closed.indices { state.closed[index].firstOffsets[partition] = nil }
            state.writing?[partition] = nil
        }
    }

    /// Events submitted and not yet settled (waiting in batches or being written).
    public var pendingEvents: Int {
        state.withLock { $0.pendingCount }
    }

    /// Waits until fewer than `limit` events are pending (or the task is cancelled): how a producer of
    /// events is held back while the store is slow or down, so the stage's memory stays bounded.
    public func waitForRoom(below limit: Int) async {
        while !Task.isCancelled {
            let id = state.withLock { state -> Int? in
                guard state.pendingCount >= limit else { return nil }
                state.nextRoomWaiter += 1
                return state.nextRoomWaiter
            }
            guard let id else { return }
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let resumeNow = state.withLock { state -> Bool in
                        if state.pendingCount < limit || Task.isCancelled { return true }
                        state.roomWaiters[id] = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            } onCancel: {
                state.withLock { $0.roomWaiters.removeValue(forKey: id) }?.resume()
            }
        }
    }

    // MARK: Running

    /// Opens the store, then writes batches until ``finish()`` was called and everything is written, or
    /// until the calling task is cancelled (then the batch in progress is abandoned: not released); closes
    /// the store at the end.
    public func run() async {
        await writeBatches()
        await writer.closeStore()
    }

    private func writeBatches() async {
        guard await withTaskCancellationHandler(operation: { await writer.open() }, onCancel: { wake() }) else { return }
        while let batch = await nextBatch() {
            let outcome = await withTaskCancellationHandler {
                await writer.write(batch[...])
            } onCancel: {
                wake()
            }
            guard outcome == .settled else { return }
            let held = writer.takeHeld()
            let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
                for event in held { state.positions.hold(event.topicPartition, at: event.offset) }
                let partitions = state.writing.map { Array($0.keys) } ?? []
                state.writing = nil
                state.pendingCount -= batch.count
                release(partitions, &state)
                defer { state.roomWaiters = [:] }
                return Array(state.roomWaiters.values)
            }
            // Every waiter looks again (each has its own limit); outside the lock.
            for waiter in waiters { waiter.resume() }
        }
    }

    /// Graceful stop: write the open batch now rather than at its deadline, and let ``run()`` end once
    /// everything submitted so far is settled.
    public func finish() {
        state.withLock { state in
            state.finishing = true
            state.takeWaiter()?.resume()
        }
    }

    /// The next batch to write, marked as being written; nil when finishing and nothing is left, or when
    /// the task was cancelled.
    private func nextBatch() async -> [SinkEvent]? {
        while !Task.isCancelled {
            enum Step { case write([SinkEvent]), end, wait(ContinuousClock.Instant?) }
            let step = state.withLock { state -> Step in
                if !state.closed.isEmpty {
                    let batch = state.closed.removeFirst()
                    state.writing = batch.firstOffsets
                    return .write(batch.events)
                }
                if !state.open.events.isEmpty {
                    let deadline = (state.open.openedAt ?? .now) + settings.batchTimeout
                    guard state.finishing || deadline <= .now else { return .wait(deadline) }
                    let batch = state.open
                    state.open = Batch()
                    state.writing = batch.firstOffsets
                    return .write(batch.events)
                }
                return state.finishing ? .end : .wait(nil)
            }
            switch step {
            case .write(let events): return events
            case .end: return nil
            case .wait(let deadline): await waitForChange(until: deadline)
            }
        }
        return nil
    }

    /// Waits until `submit`/`finish`/cancellation signals, or until `deadline`.
    private func waitForChange(until deadline: ContinuousClock.Instant?) async {
        let timer = deadline.map { deadline in
            Task { [weak self] in
                try? await Task.sleep(until: deadline)
                self?.wake()
            }
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    // Anything that changed since the caller looked makes it look again at once.
                    let ready = !state.closed.isEmpty || state.finishing
                        || (deadline == nil && !state.open.events.isEmpty)
                        || (deadline.map { $0 <= .now } ?? false)
                    if ready || Task.isCancelled { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            wake()
        }
        timer?.cancel()
    }

    private func wake() {
        state.withLock { $0.takeWaiter() }?.resume()
    }

    /// Moves the open batch to the closed ones. Under the lock.
    private func close(_ state: inout State) {
        state.closed.append(state.open)
        state.open = Batch()
    }

    /// Releases what `partitions` may release now. Under the lock.
    private func release(_ partitions: [TopicPartition], _ state: inout State) {
        let released = state.positions.release(partitions, pending: state.pending)
        if !released.isEmpty { onRelease(released) }
    }
}
