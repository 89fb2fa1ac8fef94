import Foundation
import Kafka
import Testing

@testable import ProcessingCore
@testable import DeadLetterReplay

/// The replay's decisions without a broker: which letters are replayed, where to, with which bytes and
/// headers, and how the replay group and the summary are named. The replay against the mock broker is
/// covered by `IntegrationTests/DeadLetterReplayTests`.
@Suite struct DeadLetterReplayTests {
    let source = TopicPartition(topic: "events", partition: 3)

    /// A record as the service writes it to the dead-letter topic.
    func letter(errorClass: String = "invalid_json", key: [UInt8]? = Array("user-1".utf8), value: [UInt8]? = Array("{oops".utf8)) -> KafkaRecord {
        let original = KafkaRecord(
            topicPartition: source, offset: 41, key: key, value: value, timestampMilliseconds: 1_700_000_000_000,
            headers: [KafkaHeader(name: "trace-id", value: Array("abc".utf8)), KafkaHeader(name: "empty", value: nil)]
        )
        let dead = DeadLetter(
            record: original, failure: FailureClass(errorClass), message: "bad", attempts: 0,
            firstFailure: Date(timeIntervalSince1970: 1_700_000_001), lastFailure: Date(timeIntervalSince1970: 1_700_000_002)
        )
        return KafkaRecord(
            topicPartition: TopicPartition(topic: "events.dlq", partition: 0), offset: 7, key: key, value: value,
            timestampMilliseconds: 1_700_000_003_000,
            headers: DeadLetterHeaders.headers(for: dead, consumerGroup: "group", serviceVersion: "1.0.0")
        )
    }

    @Test func replaysTheOriginalBytesAndHeadersToTheOriginalPartition() throws {
        let planner = DeadLetterReplayPlanner(errorClasses: [], targetTopicOverride: nil, fallbackTopic: "fallback")
        let record = letter()
        guard case .replay(let replayed) = planner.decide(record) else {
            Issue.record("expected a replay")
            return
        }
        #expect(replayed.topic == "events")
        #expect(replayed.partition == 3)
        #expect(replayed.key == record.key)
        #expect(replayed.value == record.value)
        #expect(replayed.headers == record.headers, "original headers and the dlq.* headers travel unchanged")
    }

    @Test func tombstonesAndKeylessLettersKeepTheirNulls() throws {
        let planner = DeadLetterReplayPlanner(errorClasses: [], targetTopicOverride: nil, fallbackTopic: "fallback")
        guard case .replay(let replayed) = planner.decide(letter(errorClass: "tombstone", key: nil, value: nil)) else {
            Issue.record("expected a replay")
            return
        }
        #expect(replayed.key == nil)
        #expect(replayed.value == nil)
    }

    @Test func toTopicOverrideLetsThePartitionerChoose() {
        let planner = DeadLetterReplayPlanner(errorClasses: [], targetTopicOverride: "other", fallbackTopic: "fallback")
        guard case .replay(let replayed) = planner.decide(letter()) else {
            Issue.record("expected a replay")
            return
        }
        #expect(replayed.topic == "other")
        #expect(replayed.partition == nil, "another topic may have other partitions: the key decides")
    }

    @Test func lettersWithoutOriginHeadersGoToTheFallbackTopic() {
        let planner = DeadLetterReplayPlanner(errorClasses: [], targetTopicOverride: nil, fallbackTopic: "fallback")
        let foreign = KafkaRecord(
            topicPartition: TopicPartition(topic: "events.dlq", partition: 0), offset: 0, key: nil, value: [1], timestampMilliseconds: nil
        )
        #expect(DeadLetterReplayPlanner.errorClass(of: foreign) == DeadLetterReplayPlanner.unknownErrorClass)
        guard case .replay(let replayed) = planner.decide(foreign) else {
            Issue.record("expected a replay")
            return
        }
        #expect(replayed.topic == "fallback")
        #expect(replayed.partition == nil)
    }

    @Test func filterReplaysOnlyTheChosenClasses() {
        let planner = DeadLetterReplayPlanner(
            errorClasses: ["processing_failed", "missing_field"], targetTopicOverride: nil, fallbackTopic: "fallback"
        )
        #expect(planner.decide(letter(errorClass: "invalid_json")) == .skipByFilter)
        #expect(planner.decide(letter(errorClass: "processing_failed")) != .skipByFilter)
        #expect(planner.decide(letter(errorClass: "missing_field")) != .skipByFilter)
    }

    @Test func aReplayedLetterThatFailsAgainGetsOneFreshSetOfHeaders() throws {
        // The replayed record carries the old dlq.* headers; the pipeline dead-letters it again.
        let replayedRecord = KafkaRecord(
            topicPartition: TopicPartition(topic: "events", partition: 3), offset: 90, key: nil, value: [1],
            timestampMilliseconds: 5, headers: letter().headers
        )
        let again = DeadLetter(
            record: replayedRecord, failure: .processingFailed, message: "still failing", attempts: 3,
            firstFailure: Date(), lastFailure: Date()
        )
        let headers = DeadLetterHeaders.headers(for: again, consumerGroup: "group", serviceVersion: "1.0.1")
        let dlqNames = headers.map(\.name).filter { $0.hasPrefix(DeadLetterHeaders.prefix) }
        #expect(dlqNames.count == Set(dlqNames).count, "no dlq.* header appears twice: \(dlqNames)")
        #expect(DeadLetterHeaders.value(DeadLetterHeaders.originalOffset, in: headers) == "90")
        #expect(DeadLetterHeaders.value(DeadLetterHeaders.errorClass, in: headers) == "processing_failed")
        #expect(headers.prefix(2).map(\.name) == ["trace-id", "empty"], "the original headers come first, unchanged")
        #expect(headers[1].value == nil)
    }

    @Test func replayGroupDependsOnTheFilter() {
        #expect(DeadLetterReplayOptions.defaultReplayGroup(serviceGroup: "g", errorClasses: []) == "g.dlq-replay")
        #expect(
            DeadLetterReplayOptions.defaultReplayGroup(serviceGroup: "g", errorClasses: ["z", "a"]) == "g.dlq-replay.a+z"
        )
        #expect(DeadLetterReplayOptions(replayGroup: "mine").replayGroup(serviceGroup: "g") == "mine")
    }

    @Test func summaryReportCountsPerClassAndTarget() {
        var summary = DeadLetterReplaySummary(deadLetterTopic: "events.dlq", replayGroup: "g.dlq-replay", dryRun: false)
        summary.countReplayed(errorClass: "invalid_json", topic: "events")
        summary.countReplayed(errorClass: "invalid_json", topic: "events")
        summary.countSkipped(errorClass: "processing_failed")
        #expect(summary.replayed == 2)
        #expect(summary.skippedByFilter == 1)
        #expect(
            summary.report == """
                Replayed 2 dead letters from events.dlq (group g.dlq-replay); skipped by filter: 1
                  to events: 2
                  invalid_json: replayed 2, skipped 0
                  processing_failed: replayed 0, skipped 1
                """
        )
    }

    @Test func dryRunLineNamesTheLetterItsTargetAndItsOrigin() {
        let record = letter()
        let line = DeadLetterReplayer.dryRunLine(
            record, target: ProducerRecord(topic: "events", partition: 3, value: record.value), errorClass: "invalid_json"
        )
        #expect(line == "would replay events.dlq[0]@7 to events[3]: invalid_json, from events[3]@41")
    }
}
