/// A durable store for processed events: PostgreSQL, SQLite, files, or one of your own.
///
/// The sink stage (``SinkBatcher``) collects processed events into batches (which may mix partitions) and
/// hands each batch to ``write(_:)``, one batch at a time, never concurrently. An event's Kafka offset is
/// stored only after the `write` call holding it has returned, so **`write` must not return before every
/// event of the batch is durable**: the transaction committed, the file and its directory synced. After a
/// crash, events written but not yet committed in Kafka are delivered again, so `write` must also be
/// **idempotent**: an event whose `eventID` is already stored is counted in
/// ``SinkWriteResult/duplicates`` and not stored a second time.
///
/// Failures say what the stage should do next:
/// - ``EventSinkError/unavailable(_:)`` — the store cannot be reached or cannot take writes right now
///   (connection refused, server restarting, disk full). Nothing of the batch may be assumed stored; the
///   stage waits with backoff and writes the same batch again, for as long as it takes. Events wait and
///   their offsets are not stored meanwhile; nothing is skipped.
/// - ``EventSinkError/rejected(_:eventIndex:)`` — the store refused the batch because of its contents (a
///   value it cannot hold, a constraint), and trying again would fail the same way. The stage splits the
///   batch until it has found the refused event, dead-letters that event with the class `sink_rejected`
///   and the store's message, and writes the others. Whatever part of the rejected batch was written must
///   not be visible afterwards (roll the transaction back) — or, if it is, the rewrite must count it as
///   duplicates, which idempotence gives anyway.
///
/// To add a store, implement this protocol and pass the sink to the service's assembly; see the sinks in
/// the `EventSinks` module for examples.
public protocol EventSink: Sendable {
    /// A short name for logs and metrics, e.g. `postgres`.
    var name: String { get }

    /// Connects and prepares the store (creates the schema when it is missing, migrates an older one).
    /// Called before the first write; ``write(_:)`` also connects on its own when the store was down.
    func open() async throws(EventSinkError)

    /// Stores `batch` durably and idempotently (see the type's documentation). `batch` is never empty.
    func write(_ batch: [SinkEvent]) async throws(EventSinkError) -> SinkWriteResult

    /// Releases connections and files. No write follows.
    func close() async
}
