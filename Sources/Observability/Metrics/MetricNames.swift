/// The metric names the service exports. They are an interface: dashboards (`deploy/grafana`) and alert
/// rules (`deploy/prometheus`) depend on them, and a test checks every name those files use against a
/// live scrape.
public enum MetricNames {
    public static let serviceInfo = "processing_service_info"
    public static let recordsConsumed = "kafka_consumer_records_consumed_total"
    public static let eventsProcessed = "processing_events_processed_total"
    public static let eventsFailed = "processing_events_failed_total"
    public static let retries = "processing_retries_total"
    public static let deadLetters = "processing_dead_letters_total"
    public static let processingDuration = "processing_duration_seconds"
    public static let eventAge = "processing_event_age_seconds"
    public static let lag = "kafka_consumer_lag"
    public static let committedLag = "kafka_consumer_committed_lag"
    public static let assignedPartitions = "kafka_consumer_assigned_partitions"
    public static let pausedPartitions = "kafka_consumer_paused_partitions"
    public static let rebalances = "kafka_consumer_rebalances_total"
    public static let commitFailures = "kafka_consumer_commit_failures_total"
    public static let brokersConnected = "kafka_brokers_connected"
    /// Beyond the table, for alert rules: what `/readyz` and `/healthz` answer (1 or 0) at scrape time.
    public static let ready = "processing_service_ready"
    public static let live = "processing_service_live"
}
