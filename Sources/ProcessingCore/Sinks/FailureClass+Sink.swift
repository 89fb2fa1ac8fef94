extension FailureClass {
    /// The event store permanently refused the event (`dlq.error.class` = `sink_rejected`); the dead
    /// letter's message is the store's own error.
    public static let sinkRejected: FailureClass = "sink_rejected"
}
