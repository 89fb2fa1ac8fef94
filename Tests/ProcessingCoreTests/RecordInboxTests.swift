import Kafka
import Testing

@testable import ProcessingCore

/// `RecordInbox`: the hand-off of slices from the poll thread to the processing task. Each take and
/// put below happens inside the continuation's body, so the order is exact, not a race.
@Suite struct RecordInboxTests {
    let partition = TopicPartition(topic: "events", partition: 0)

    func records(_ offsets: Range<Int64>) -> [KafkaRecord] {
        offsets.map { KafkaRecord(topicPartition: partition, offset: $0, key: nil, value: [1], timestampMilliseconds: nil) }
    }

    @Test func keepsSlicesInOrderUntilTaken() async {
        var inbox = RecordInbox()
        let batch = records(0..<6)
        inbox.put(batch[0..<2])
        inbox.put(batch[2..<6])
        let taken = await withCheckedContinuation { inbox.take($0) }
        #expect(taken?.map { $0.map(\.offset) } == [[0, 1], [2, 3, 4, 5]])
    }

    @Test func aParkedTakeGetsTheNextSliceAndOnlyThatOne() async {
        var inbox = RecordInbox()
        let batch = records(0..<5)
        let first = await withCheckedContinuation { continuation in
            inbox.take(continuation)  // nothing waits: parked
            inbox.put(batch[0..<3])  // answers the parked take
        }
        #expect(first?.map { $0.map(\.offset) } == [[0, 1, 2]])
        inbox.put(batch[3..<5])
        let second = await withCheckedContinuation { inbox.take($0) }
        #expect(second?.map { $0.map(\.offset) } == [[3, 4]])
    }

    @Test func closeAnswersAParkedTakeWithNil() async {
        var inbox = RecordInbox()
        let taken = await withCheckedContinuation { continuation in
            inbox.take(continuation)
            inbox.close()
        }
        #expect(taken == nil)
    }

    @Test func closeDropsWhatWaits() async {
        var inbox = RecordInbox()
        let batch = records(0..<4)
        inbox.put(batch[0..<2])
        inbox.close()
        let taken = await withCheckedContinuation { continuation in
            inbox.take(continuation)  // the dropped slice is gone: parked
            inbox.put(batch[2..<4])
        }
        #expect(taken?.map { $0.map(\.offset) } == [[2, 3]])
    }
}
