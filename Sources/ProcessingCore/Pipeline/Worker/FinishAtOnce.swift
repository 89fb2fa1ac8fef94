import EventModel
import Kafka

/// No stage after processing: each record is finished as soon as it is handled, by advancing the
/// partition's `FinishedPosition` (one releasing store per record, as before stages existed).
struct FinishAtOnce: FinishedRecordOutput {
    static var storesPosition: Bool { true }

    let partition: AssignedPartition

    @inline(__always)
    func processed(_ records: ArraySlice<KafkaRecord>, at index: Int, offset: Int64, event: EnrichedEvent) {
        partition.finished.finished(offset: offset)
    }

    @inline(__always)
    func gaveUp(offset: Int64) {
        partition.finished.finished(offset: offset)
    }

    @inline(__always)
    func handOver() async {}
}
