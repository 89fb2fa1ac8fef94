import EventModel

/// An ``EventProcessor`` whose work never suspends (in-memory aggregation, filtering, logging): the
/// pipeline calls ``processSynchronously(_:context:)`` directly on its first attempt at each event,
/// without an `async` call.
///
/// Why it exists: an `async` call through the `EventProcessor` existential allocates a frame on the
/// task's allocator and asks the runtime for the current executor, about 2–3% of the service's CPU
/// time at several hundred thousand events per second, for a processor that has nothing to wait for.
///
/// Everything else is as for ``EventProcessor``: same ordering, and a thrown error is retried with
/// backoff (retries go through ``EventProcessor/process(_:context:)``, which calls this method) or
/// dead-letters the event when it is a ``PermanentProcessingError``. Must not block the thread: it runs
/// on the pipeline's ``ProcessingExecutor``, one thread per core shared by every partition, so a blocked
/// call holds up the other partitions' processing. A processor that waits on I/O implements
/// ``EventProcessor`` instead.
public protocol SynchronousEventProcessor: EventProcessor {
    func processSynchronously(_ event: EnrichedEvent, context: ProcessingContext) throws
}

extension SynchronousEventProcessor {
    public func process(_ event: EnrichedEvent, context: ProcessingContext) async throws {
        try processSynchronously(event, context: context)
    }
}
