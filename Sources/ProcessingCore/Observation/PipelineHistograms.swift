/// The pipeline's two latency histograms (exported as `processing_duration_seconds` and
/// `processing_event_age_seconds` by `Observability`).
public final class PipelineHistograms: Sendable {
    /// One attempt of the processor. Bounds from 10 µs (the default processor takes microseconds) to 10 s.
    public let processingDuration = LatencyHistogram(upperBounds: [
        .microseconds(10), .microseconds(50), .microseconds(100), .microseconds(500), .milliseconds(1),
        .milliseconds(5), .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(500),
        .seconds(1), .seconds(5), .seconds(10),
    ])
    /// From the record's timestamp to the event finished. Bounds from 5 ms to an hour.
    public let eventAge = LatencyHistogram(upperBounds: [
        .milliseconds(5), .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(500),
        .seconds(1), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(300), .seconds(900),
        .seconds(3600),
    ])

    public init() {}
}
