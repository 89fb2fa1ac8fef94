import Kafka
import Prometheus
import ProcessingCore
import Synchronization

/// The service's Prometheus metrics (names and labels in `MetricNames`), brought up to date at each scrape
/// from the status, the pipeline's cumulative counts and the consumer's observations.
///
/// Why at scrape time: the hot path then only keeps the counts it keeps anyway (atomics added per slice,
/// see `ProcessingStatistics`); nothing per event touches a metric object. Counters are increased here by
/// the difference since the last scrape, so they stay monotonic; the lag gauges of partitions this member
/// no longer owns are unregistered, so their series disappear.
///
/// swift-prometheus's registry is used directly rather than through swift-metrics' `MetricsFactory`:
/// the factory registers every metric with an empty HELP, which `promtool check metrics` rejects.
public final class ServiceMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let topic: String
    private let exported = Mutex(Exported())

    /// What was exported so far: counter values (to add differences) and the per-partition gauges.
    private struct Exported {
        var counterValues: [String: Int] = [:]
        var lagGauges: [TopicPartition: (lag: Gauge?, committed: Gauge?)] = [:]
    }

    public init(version: String, group: String, topic: String) {
        self.topic = topic
        gauge(name: MetricNames.serviceInfo, labels: [("version", version), ("group", group), ("topic", topic)],
            help: "Always 1; the labels say which version consumes which topic in which group."
        ).set(Int64(1))
        // Registered up front, so every family is present (at 0) from the first scrape.
        for kind in ConsumerObservations.RebalanceKind.allCases {
            _ = rebalances(kind)
        }
        _ = commitFailures
        _ = processed
        _ = retries
        // The processing failure classes start at 0 too, so `increase()` sees the first one; the decoder's
        // classes (invalid_json, ...) appear with their first dead letter.
        for failure in ["processing_failed", "processing_rejected"] {
            _ = failedAttempts(failure)
            _ = deadLetters(failure)
        }
    }

    /// The exposition (text format 0.0.4), after bringing every metric up to date.
    /// - Parameters:
    ///   - live, ready: what `/healthz` and `/readyz` answer now (`processing_service_live`, `_ready`).
    public func exposition(
        status: ServiceStatus, pipeline: PipelineSnapshot, observations: ConsumerObservations, live: Bool = true, ready: Bool = true
    ) -> String {
        exported.withLock { exported in
            update(&exported, status: status, pipeline: pipeline, observations: observations)
        }
        gauge(name: MetricNames.live, help: "1 while /healthz answers 200 (the poll loop makes progress, no fatal error), else 0.")
            .set(Int64(live ? 1 : 0))
        gauge(name: MetricNames.ready, help: "1 while /readyz answers 200 (connected, in the group, not shutting down), else 0.")
            .set(Int64(ready ? 1 : 0))
        var text = registry.emitToString()
        if let histogram = pipeline.processingDuration {
            text += HistogramExposition.render(
                name: MetricNames.processingDuration, help: "Duration of one processing attempt.",
                labels: [("topic", topic)], histogram: histogram)
        }
        if let histogram = pipeline.eventAge {
            text += HistogramExposition.render(
                name: MetricNames.eventAge, help: "Age of an event when it finished: record timestamp to done.",
                labels: [("topic", topic)], histogram: histogram)
        }
        return text
    }

    // MARK: Updating

    private func update(
        _ exported: inout Exported, status: ServiceStatus, pipeline: PipelineSnapshot, observations: ConsumerObservations
    ) {
        func advance(_ counter: Counter, key: String, to value: Int) {
            let previous = exported.counterValues[key] ?? 0
            if value > previous { counter.increment(by: Int64(value - previous)) }
            exported.counterValues[key] = max(previous, value)
        }
        for (partition, count) in pipeline.consumedByPartition {
            let counter = counter(name: MetricNames.recordsConsumed,
                labels: [("topic", partition.topic), ("partition", "\(partition.partition)")],
                help: "Records consumed from Kafka, per partition.")
            advance(counter, key: "consumed/\(partition)", to: count)
        }
        advance(processed, key: "processed", to: status.totals.processed)
        advance(retries, key: "retries", to: status.totals.retries)
        for (errorClass, count) in pipeline.failedAttemptsByClass {
            advance(failedAttempts(errorClass), key: "failed/\(errorClass)", to: count)
        }
        for (errorClass, count) in pipeline.deadLettersByClass {
            advance(deadLetters(errorClass), key: "dead/\(errorClass)", to: count)
        }
        for kind in ConsumerObservations.RebalanceKind.allCases {
            advance(rebalances(kind), key: "rebalance/\(kind.rawValue)", to: observations.rebalances(kind))
        }
        advance(commitFailures, key: "commit_failures", to: observations.commitFailures)

        gauge(name: MetricNames.assignedPartitions, help: "Partitions assigned to this member.")
            .set(Int64(status.partitions.count))
        gauge(name: MetricNames.pausedPartitions, help: "Assigned partitions whose fetching is paused.")
            .set(Int64(status.partitions.filter(\.paused).count))
        let brokers = gauge(name: MetricNames.brokersConnected, help: "Brokers with a working connection.")
        brokers.set(Int64(status.brokersConnected ?? 0))
        updateLagGauges(&exported, partitions: status.partitions)
    }

    /// One series per owned partition whose lag is known; others are removed (unknown is absent).
    private func updateLagGauges(_ exported: inout Exported, partitions: [PartitionStatus]) {
        var seen = Set<TopicPartition>()
        for partition in partitions {
            let key = TopicPartition(topic: partition.topic, partition: partition.partition)
            seen.insert(key)
            var gauges = exported.lagGauges[key] ?? (nil, nil)
            gauges.lag = setOrRemove(
                gauges.lag, value: partition.lag, name: MetricNames.lag, partition: key,
                help: "High watermark minus the next offset to process, per assigned partition.")
            gauges.committed = setOrRemove(
                gauges.committed, value: partition.committedLag, name: MetricNames.committedLag, partition: key,
                help: "High watermark minus the committed offset, per assigned partition.")
            exported.lagGauges[key] = gauges
        }
        for (key, gauges) in exported.lagGauges where !seen.contains(key) {
            if let lag = gauges.lag { registry.unregisterGauge(lag) }
            if let committed = gauges.committed { registry.unregisterGauge(committed) }
            exported.lagGauges[key] = nil
        }
    }

    private func setOrRemove(_ existing: Gauge?, value: Int64?, name: String, partition: TopicPartition, help: String) -> Gauge? {
        guard let value else {
            if let existing { registry.unregisterGauge(existing) }
            return nil
        }
        let target = existing ?? gauge(name: name, labels: [("topic", partition.topic), ("partition", "\(partition.partition)")], help: help)
        target.set(value)
        return target
    }

    // MARK: Registration (with HELP text: promtool rejects metrics without it)

    private func counter(name: String, labels: [(String, String)] = [], help: String) -> Counter {
        registry.makeCounter(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
    }

    private func gauge(name: String, labels: [(String, String)] = [], help: String) -> Gauge {
        registry.makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
    }

    // MARK: Fixed metrics

    private var processed: Counter {
        counter(name: MetricNames.eventsProcessed, labels: [("topic", topic)], help: "Events processed successfully.")
    }

    private var retries: Counter {
        counter(name: MetricNames.retries, labels: [("topic", topic)], help: "Processing attempts after the first.")
    }

    private var commitFailures: Counter {
        counter(name: MetricNames.commitFailures, help: "Offset commits that failed.")
    }

    private func failedAttempts(_ errorClass: String) -> Counter {
        counter(
            name: MetricNames.eventsFailed, labels: [("topic", topic), ("error_class", errorClass)],
            help: "Processing attempts that failed, by failure class.")
    }

    private func deadLetters(_ errorClass: String) -> Counter {
        counter(
            name: MetricNames.deadLetters, labels: [("topic", topic), ("error_class", errorClass)],
            help: "Events written to the dead-letter topic, by failure class.")
    }

    private func rebalances(_ kind: ConsumerObservations.RebalanceKind) -> Counter {
        counter(name: MetricNames.rebalances, labels: [("kind", kind.rawValue)],
            help: "Rebalance callbacks by kind: assigned, revoked or lost partitions.")
    }
}
