import EventModel
import Kafka

/// Where `PartitionWorker`'s record loop puts each record it is done with: the seam between handling
/// records and what comes after. The loop is generic over it, so each form is compiled into its own
/// specialized loop: no protocol call per record.
///
/// - `FinishAtOnce`: no later stage; a record is finished when handled (advances `FinishedPosition`).
/// - `CollectForStage`: records are collected per run and handed to a `ProcessedEventStage`, which
///   marks them finished later.
protocol FinishedRecordOutput {
    /// Whether the per-slice settle stores the finished position (else the stage's release does).
    static var storesPosition: Bool { get }

    /// `records[index]`, at `offset`, was processed into `event`.
    mutating func processed(_ records: ArraySlice<KafkaRecord>, at index: Int, offset: Int64, event: EnrichedEvent)

    /// The record at `offset` was given up on and dead-lettered.
    mutating func gaveUp(offset: Int64)

    /// Once per slice and before any wait: pass on what was collected since the last call.
    mutating func handOver() async
}
