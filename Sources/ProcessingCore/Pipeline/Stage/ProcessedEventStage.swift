/// A stage after the processor that decides when processed work counts as finished — the extension
/// point for storing events in batches (issue 14's `EventSink`): offsets are stored only once the stage
/// says the work is durable.
///
/// How the pipeline uses it (`EventPipeline(processor:…, processedEvents:)`):
/// - Each partition's worker collects what it finished in a run of records (a slice of a consumer
///   batch; cut short before any wait such as a retry backoff) and hands it over as one
///   ``ProcessedWork``: the events the processor accepted, in offset order, and the position up to which
///   the run is done (dead-lettered records in it included, with no event). One call per run, never
///   per event.
/// - Nothing of that run is stored for commit until the stage calls ``ProcessedWork/markFinished()``.
///   A partition's position only moves forward, so marking a work finished also covers every earlier
///   work of that partition: mark a work only when it *and every earlier work of its partition* are
///   durable. A batch that holds, per partition, everything handed over so far (works may mix
///   partitions) satisfies that by marking all its works after the durable write.
/// - `accept` runs on the partition's processing task, which waits for it: suspend there (for example
///   while the stage holds as much as it may) to hold the partition back; its records then count as
///   buffered, so the partition is paused by backpressure while the consumer keeps polling.
/// - A revoke cancels the partition's task (`Task.isCancelled` inside `accept`); from then on
///   `markFinished()` of that partition's works does nothing (another member owns it; what the stage
///   still writes is redelivered there, so a sink must be idempotent).
/// - At shutdown, after every worker finished its event in flight, ``drain()`` is awaited within
///   `SHUTDOWN_TIMEOUT`: write what is held and mark it finished, so the consumer's close stores it.
///
/// Without a stage (the default) a record is finished as soon as the processor returned, with no
/// per-run hand-over at all: the pipeline's fastest path, and its behaviour before this protocol.
public protocol ProcessedEventStage: Sendable {
    /// Takes one partition's run of processed work; see the protocol's comment for the rules.
    func accept(_ work: ProcessedWork) async

    /// Shutdown: write what is held and mark it finished before returning.
    func drain() async
}
