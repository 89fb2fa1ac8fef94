import EventModel
import Kafka

/// A `ProcessedEventStage` follows processing: the run's processed events and its end position are
/// collected and handed to the stage as one `ProcessedWork` per slice (or sooner, before a wait). The
/// partition's position then moves only when the stage marks the work finished.
struct CollectForStage: FinishedRecordOutput {
    static var storesPosition: Bool { false }

    let stage: any ProcessedEventStage
    let partition: AssignedPartition
    private var events: [ProcessedEvent] = []
    /// The next offset after the last record collected, -1 when nothing was collected.
    private var through: Int64 = -1

    init(stage: any ProcessedEventStage, partition: AssignedPartition) {
        self.stage = stage
        self.partition = partition
    }

    mutating func processed(_ records: ArraySlice<KafkaRecord>, at index: Int, offset: Int64, event: EnrichedEvent) {
        // One allocation per run rather than one per doubling.
        if events.isEmpty { events.reserveCapacity(records.endIndex - index) }
        events.append(ProcessedEvent(event: event, record: records[index]))
        through = offset + 1
    }

    mutating func gaveUp(offset: Int64) {
        through = offset + 1
    }

    mutating func handOver() async {
        guard through >= 0 else { return }
        let work = ProcessedWork(events: events, through: through, partition: partition)
        events = []
        through = -1
        await stage.accept(work)
    }
}
