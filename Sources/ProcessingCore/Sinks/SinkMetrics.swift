import Metrics

/// The sink stage's metrics through swift-metrics (the service bootstraps the Prometheus backend; without
/// one they cost nothing): `sink_batches_total`, `sink_duplicates_total`, `sink_events_stored_total`,
/// `sink_write_failures_total{reason}` and `sink_write_duration_seconds`, each labelled with the `sink`.
/// Recorded once per write, never per event.
public struct SinkMetrics: SinkObserver {
    private let batches: Counter
    private let duplicates: Counter
    private let stored: Counter
    private let unavailable: Counter
    private let rejected: Counter
    private let duration: Timer

    public init(sink: String) {
        let label = [("sink", sink)]
        batches = Counter(label: "sink_batches_total", dimensions: label)
        duplicates = Counter(label: "sink_duplicates_total", dimensions: label)
        stored = Counter(label: "sink_events_stored_total", dimensions: label)
        unavailable = Counter(label: "sink_write_failures_total", dimensions: label + [("reason", "unavailable")])
        rejected = Counter(label: "sink_write_failures_total", dimensions: label + [("reason", "rejected")])
        duration = Timer(label: "sink_write_duration_seconds", dimensions: label, preferredDisplayUnit: .seconds)
    }

    public func wrote(_ result: SinkWriteResult, events: Int, duration: Duration) {
        batches.increment()
        if result.duplicates > 0 { duplicates.increment(by: result.duplicates) }
        if result.stored > 0 { stored.increment(by: result.stored) }
        self.duration.recordNanoseconds(duration.nanoseconds)
    }

    public func failed(_ error: EventSinkError, events: Int, duration: Duration) {
        switch error {
        case .unavailable: unavailable.increment()
        case .rejected: rejected.increment()
        }
        self.duration.recordNanoseconds(duration.nanoseconds)
    }
}
