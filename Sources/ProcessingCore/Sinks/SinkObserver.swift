/// Hooks for what the sink stage does, for metrics (`sink_batches_total`, `sink_duplicates_total`,
/// `sink_write_duration_seconds`); called once per write, on the stage's task. The default does nothing.
public protocol SinkObserver: Sendable {
    /// A write succeeded after `duration`.
    func wrote(_ result: SinkWriteResult, events: Int, duration: Duration)
    /// A write failed after `duration`.
    func failed(_ error: EventSinkError, events: Int, duration: Duration)
}

extension SinkObserver {
    public func wrote(_ result: SinkWriteResult, events: Int, duration: Duration) {}
    public func failed(_ error: EventSinkError, events: Int, duration: Duration) {}
}

/// Observes nothing.
public struct NoSinkObserver: SinkObserver {
    public init() {}
}
