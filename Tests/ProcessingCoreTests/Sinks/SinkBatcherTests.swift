import Kafka
import Logging
import Testing
import TestSupport

@testable import ProcessingCore

@Suite("SinkBatcher: batches, offsets only past durable events, retries, bisection")
struct SinkBatcherTests {
    static let p0 = TopicPartition(topic: "user-activity-events", partition: 0)
    static let p1 = TopicPartition(topic: "user-activity-events", partition: 1)

    /// Fast retries: the tests script outages of a few attempts.
    static func settings(size: Int, timeout: Duration = .seconds(3600)) -> SinkBatchSettings {
        let quick = BackoffPolicy(maxAttempts: .max, baseDelay: .milliseconds(1), multiplier: 2, maximumDelay: .milliseconds(5), jitter: 0)
        return SinkBatchSettings(batchSize: size, batchTimeout: timeout, unavailableBackoff: quick, deadLetterBackoff: quick)
    }

    /// A running stage on a scripted sink; `body` drives it; afterwards the stage is finished and awaited.
    func withStage(
        _ settings: SinkBatchSettings, deadLetters: CollectingDeadLetters? = CollectingDeadLetters(),
        pipelineStatistics: ProcessingStatistics? = nil,
        _ body: (SinkBatcher, ScriptedSink, Releases) async throws -> Void
    ) async throws {
        let releases = Releases()
        let sink = ScriptedSink(releases: releases)
        let batcher = SinkBatcher(
            sink: sink, deadLetters: deadLetters, settings: settings, pipelineStatistics: pipelineStatistics,
            logger: Logger(label: "test"), onRelease: { releases.record($0) })
        let run = Task { await batcher.run() }
        defer { run.cancel() }
        try await body(batcher, sink, releases)
        batcher.finish()
        await run.value
    }

    @Test("a batch is written when it reaches SINK_BATCH_SIZE, in events not calls; the rest waits for the timeout or finish()")
    func sizeTrigger() async throws {
        try await withStage(Self.settings(size: 5)) { batcher, sink, _ in
            let events = SampleEvents.make(count: 12).map(\.sinkEvent)
            batcher.submit(events[0..<4])
            batcher.submit(events[4..<5])
            let first = try await sink.attempts.next("the first write")
            #expect(first.eventIDs == events[0..<5].map(\.event.eventID))
            batcher.submit(events[5...])
            let second = try await sink.attempts.next("the second write")
            #expect(second.eventIDs == events[5..<10].map(\.event.eventID))
            // Two left over, an hour before their timeout: only finish() writes them.
            #expect(batcher.pendingEvents == 2)
            batcher.finish()
            let last = try await sink.attempts.next("the flush")
            #expect(last.eventIDs == events[10...].map(\.event.eventID))
        }
    }

    @Test("a batch that stays below the size is written once its first event has waited SINK_BATCH_TIMEOUT")
    func timeoutTrigger() async throws {
        try await withStage(Self.settings(size: 1000, timeout: .milliseconds(150))) { batcher, sink, _ in
            let events = SampleEvents.make(count: 3).map(\.sinkEvent)
            let clock = ContinuousClock()
            let start = clock.now
            batcher.submit(events)
            let attempt = try await sink.attempts.next("the timed-out batch")
            #expect(clock.now - start >= .milliseconds(150))
            #expect(attempt.eventIDs.count == 3)
        }
    }

    @Test("batches mix partitions and keep each partition's order")
    func crossPartitionBatches() async throws {
        try await withStage(Self.settings(size: 9)) { batcher, sink, releases in
            let events = SampleEvents.make(count: 9, partitions: 3).map(\.sinkEvent)
            // Submitted per partition (as the workers do, one slice at a time), interleaved.
            for partition in 0..<3 { batcher.submit(events.filter { $0.topicPartition.partition == partition }) }
            let attempt = try await sink.attempts.next("the write")
            #expect(Set(attempt.offsets.map(\.topicPartition.partition)) == [0, 1, 2])
            for partition: Int32 in 0..<3 {
                #expect(attempt.offsets.filter { $0.topicPartition.partition == partition }.map(\.offset) == [0, 1, 2])
            }
            var released: [TopicPartitionOffset] = []
            while released.count < 3 { released += try await releases.calls.next("releases") }
            #expect(Set(released.map(\.offset)) == [3])
        }
    }

    @Test("while the store is down the batch is retried and nothing is released; once written, offsets move past it")
    func retryWhileDownReleasesOnlyAfterDurable() async throws {
        try await withStage(Self.settings(size: 4)) { batcher, sink, releases in
            sink.failNext(3)
            batcher.submit(SampleEvents.make(count: 4).map(\.sinkEvent))
            let released = try await releases.calls.next("the release")
            #expect(released == [TopicPartitionOffset(Self.p0, offset: 4)])
            let attempts = sink.allAttempts
            #expect(attempts.map(\.failed) == [true, true, true, false])
            #expect(attempts.allSatisfy { $0.releasedBefore.isEmpty })
            #expect(batcher.statistics.unavailableAttempts == 3)
            #expect(batcher.statistics.stored == 4)
        }
    }

    @Test("the store reports unreachable while it is down and reachable again after a write")
    func reachability() async throws {
        try await withStage(Self.settings(size: 1)) { batcher, sink, releases in
            sink.failNext(.max)
            batcher.submit(SampleEvents.make(count: 1).map(\.sinkEvent))
            _ = try await sink.attempts.next("a failed attempt")
            _ = try await sink.attempts.next("a second failed attempt")
            #expect(!batcher.isStoreReachable)
            sink.failNext(0)
            _ = try await releases.calls.next("the release")
            #expect(batcher.isStoreReachable)
        }
    }

    @Test("work finished without the store (markFinished) waits behind the partition's pending events, and no longer")
    func markersWaitBehindPendingEvents() async throws {
        try await withStage(Self.settings(size: 2)) { batcher, sink, releases in
            // Nothing pending: released at once.
            batcher.markFinished(Self.p1, next: 7)
            #expect(releases.all == [TopicPartitionOffset(Self.p1, offset: 7)])
            sink.failNext(.max)
            batcher.submit(SampleEvents.make(count: 2).map(\.sinkEvent))  // p0 offsets 0, 1
            _ = try await sink.attempts.next("a failed attempt")
            // Offsets 2...4 dead-lettered by the pipeline meanwhile: must not pass 0 and 1.
            batcher.markFinished(Self.p0, next: 5)
            #expect(releases.last(Self.p0) == nil)
            _ = try await releases.calls.next("the p1 release above")
            sink.failNext(0)
            let released = try await releases.calls.next("the release")
            #expect(released == [TopicPartitionOffset(Self.p0, offset: 5)])
        }
    }

    @Test("a rejected event is found by splitting the batch, dead-lettered with sink_rejected (counted with the pipeline's dead letters), its neighbours stored")
    func bisection() async throws {
        let deadLetters = CollectingDeadLetters()
        let pipelineStatistics = ProcessingStatistics()
        try await withStage(Self.settings(size: 8), deadLetters: deadLetters, pipelineStatistics: pipelineStatistics) { batcher, sink, releases in
            let events = SampleEvents.make(count: 8).map(\.sinkEvent)
            let bad = events[5].event.eventID
            sink.reject([bad])
            batcher.submit(events)
            let released = try await releases.calls.next("the release")
            #expect(released == [TopicPartitionOffset(Self.p0, offset: 8)])
            #expect(Set(sink.stored) == Set(events.map(\.event.eventID)).subtracting([bad]))
            #expect(deadLetters.all.count == 1)
            #expect(deadLetters.all.first?.failure == .sinkRejected)
            #expect(deadLetters.all.first?.record.offset == 5)
            #expect(deadLetters.all.first?.message.contains("scripted rejection") == true)
            // 8 → 4+4 → 2+2 → 1+1: the first write, then at most two per level.
            #expect(sink.allAttempts.count <= 1 + 2 * 3)
            #expect(batcher.statistics.rejected == 1)
            // processing_dead_letters_total{error_class="sink_rejected"}, /status and the progress line read these.
            #expect(pipelineStatistics.deadLettered == 1)
            #expect(pipelineStatistics.deadLettersByClass == [.sinkRejected: 1])
        }
    }

    @Test("when the store names the rejected event, the batch is split there: three writes, not a bisection")
    func rejectionAtNamedIndex() async throws {
        let deadLetters = CollectingDeadLetters()
        try await withStage(Self.settings(size: 8), deadLetters: deadLetters) { batcher, sink, releases in
            let events = SampleEvents.make(count: 8).map(\.sinkEvent)
            sink.reject([events[5].event.eventID], tellIndex: true)
            batcher.submit(events)
            _ = try await releases.calls.next("the release")
            #expect(sink.allAttempts.map(\.eventIDs.count) == [8, 5, 2])
            #expect(deadLetters.all.map(\.record.offset) == [5])
        }
    }

    @Test("the dead-letter topic down: the rejected event's letter is retried, and only then is anything released")
    func deadLetterRetried() async throws {
        let deadLetters = CollectingDeadLetters()
        deadLetters.failNext(3)
        try await withStage(Self.settings(size: 2), deadLetters: deadLetters) { batcher, sink, releases in
            let events = SampleEvents.make(count: 2).map(\.sinkEvent)
            sink.reject([events[1].event.eventID], tellIndex: true)
            batcher.submit(events)
            let released = try await releases.calls.next("the release")
            #expect(released == [TopicPartitionOffset(Self.p0, offset: 2)])
            #expect(deadLetters.all.count == 1)
        }
    }

    @Test("without dead-lettering (DLQ_ENABLED=false) a rejected event holds its partition there (no dead letter counted); others go on")
    func rejectedWithoutDeadLettersHoldsPartition() async throws {
        let pipelineStatistics = ProcessingStatistics()
        try await withStage(Self.settings(size: 6), deadLetters: nil, pipelineStatistics: pipelineStatistics) { batcher, sink, releases in
            let events = SampleEvents.make(count: 6, partitions: 2).map(\.sinkEvent)  // p0: 0,1,2  p1: 0,1,2
            let bad = events.first { $0.topicPartition == Self.p0 && $0.offset == 1 }!
            sink.reject([bad.event.eventID], tellIndex: true)
            batcher.submit(events)
            var released: [TopicPartitionOffset] = []
            while released.count < 2 { released += try await releases.calls.next("releases") }
            #expect(Set(released) == [TopicPartitionOffset(Self.p0, offset: 1), TopicPartitionOffset(Self.p1, offset: 3)])
            #expect(sink.stored.count == 5)
            // Later work of p0 stays held behind the rejected event.
            batcher.markFinished(Self.p0, next: 10)
            #expect(releases.last(Self.p0) == 1)
            #expect(pipelineStatistics.deadLettered == 0)
        }
    }

    @Test("a revoked partition's pending events release nothing once written")
    func forgottenPartitionReleasesNothing() async throws {
        try await withStage(Self.settings(size: 4)) { batcher, sink, releases in
            sink.failNext(.max)
            let events = SampleEvents.make(count: 4, partitions: 2).map(\.sinkEvent)
            batcher.submit(events)
            _ = try await sink.attempts.next("a failed attempt")
            batcher.forget(Self.p0)
            sink.failNext(0)
            let released = try await releases.calls.next("the release")
            #expect(released == [TopicPartitionOffset(Self.p1, offset: 2)])
            #expect(sink.stored.count == 4)
        }
    }

    @Test("events already stored are counted as duplicates, not stored again")
    func duplicatesCounted() async throws {
        try await withStage(Self.settings(size: 3)) { batcher, sink, _ in
            let events = SampleEvents.make(count: 3).map(\.sinkEvent)
            batcher.submit(events)
            _ = try await sink.attempts.next("the first write")
            batcher.submit(events)
            _ = try await sink.attempts.next("the second write")
            batcher.finish()
            #expect(sink.stored.count == 3)
        }
    }

    @Test("cancelled while the store is down: the batch is abandoned and nothing is released")
    func cancellationAbandons() async throws {
        let releases = Releases()
        let sink = ScriptedSink(releases: releases)
        sink.failNext(.max)
        let batcher = SinkBatcher(
            sink: sink, deadLetters: nil, settings: Self.settings(size: 1), logger: Logger(label: "test"),
            onRelease: { releases.record($0) })
        let run = Task { await batcher.run() }
        batcher.submit(SampleEvents.make(count: 1).map(\.sinkEvent))
        _ = try await sink.attempts.next("a failed attempt")
        run.cancel()
        await run.value
        #expect(releases.all.isEmpty)
        #expect(sink.stored.isEmpty)
    }
}

