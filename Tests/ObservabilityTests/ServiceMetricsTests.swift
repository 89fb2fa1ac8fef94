import Foundation
import Kafka
@testable import Observability
import ProcessingCore
import Testing
import TestSupport

@Suite("Prometheus exposition")
struct ServiceMetricsTests {
    static func status(_ partitions: [PartitionStatus]) -> ServiceStatus {
        ServiceStatus(
            state: .running, version: "1.2.3", topic: "events", group: "g", brokersConnected: 1, partitions: partitions,
            totals: .init(consumed: 5, processed: 4, failedAttempts: 2, retries: 1, deadLettered: 1))
    }

    static func pipeline(consumed: [Int32: Int] = [0: 3, 1: 2], histogram: LatencyHistogram? = nil) -> PipelineSnapshot {
        PipelineSnapshot(
            totals: .init(consumed: 5, processed: 4, failedAttempts: 2, retries: 1, deadLettered: 1),
            consumedByPartition: Dictionary(uniqueKeysWithValues: consumed.map { (TopicPartition(topic: "events", partition: $0.key), $0.value) }),
            failedAttemptsByClass: ["processing_failed": 2], deadLettersByClass: ["invalid_json": 1],
            processingDuration: histogram, eventAge: histogram)
    }

    /// The exposition's value of one series (`name{labels}` exactly as rendered), nil when absent.
    static func value(of series: String, in text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    @Test("promtool check metrics accepts the exposition, histograms included",
          .enabled(if: Promtool.isInstalled, "promtool is not installed"))
    func promtoolAcceptsExposition() throws {
        let histogram = LatencyHistogram(upperBounds: [.microseconds(100), .milliseconds(1), .seconds(1)])
        var tally = histogram.makeTally()
        for nanoseconds: Int64 in [50_000, 500_000, 2_000_000_000] { tally.record(nanoseconds: nanoseconds) }
        histogram.merge(&tally)
        let metrics = ServiceMetrics(version: "1.2.3", group: "g", topic: "events")
        let partitions = [PartitionStatus(topic: "events", partition: 0, committedOffset: 1, nextOffset: 2, highWatermark: 5)]
        let text = metrics.exposition(status: Self.status(partitions), pipeline: Self.pipeline(histogram: histogram), observations: ConsumerObservationsFixture.make())
        let (status, report) = try Promtool.checkMetrics(text)
        #expect(status == 0, "promtool: \(report)\n\(text)")
        #expect(text.contains("processing_duration_seconds_bucket{topic=\"events\",le=\"0.0001\"} 1"))
        #expect(text.contains("processing_duration_seconds_count{topic=\"events\"} 3"))
    }

    @Test("lag series exist only for owned partitions with a known lag, never -1, and disappear on revoke")
    func lagSeriesFollowTheAssignment() {
        let metrics = ServiceMetrics(version: "1", group: "g", topic: "events")
        let observations = ConsumerObservationsFixture.make()
        let owned = [
            PartitionStatus(topic: "events", partition: 0, committedOffset: 3, nextOffset: 4, highWatermark: 10),
            PartitionStatus(topic: "events", partition: 1, committedOffset: nil, nextOffset: nil, highWatermark: 10),
        ]
        let first = metrics.exposition(status: Self.status(owned), pipeline: Self.pipeline(), observations: observations)
        #expect(Self.value(of: #"kafka_consumer_lag{topic="events",partition="0"}"#, in: first) == 6)
        #expect(Self.value(of: #"kafka_consumer_committed_lag{topic="events",partition="0"}"#, in: first) == 7)
        #expect(!first.contains(#"kafka_consumer_lag{topic="events",partition="1"}"#), "unknown lag must be absent")
        #expect(!first.contains("-1"))
        // Partition 0 revoked.
        let second = metrics.exposition(status: Self.status([owned[1]]), pipeline: Self.pipeline(), observations: observations)
        #expect(!second.contains(#"kafka_consumer_lag{topic="events",partition="0"}"#), "\(second)")
        #expect(!second.contains(#"kafka_consumer_committed_lag{topic="events",partition="0"}"#))
        #expect(Self.value(of: "kafka_consumer_assigned_partitions", in: second) == 1)
        // Reassigned: the series comes back.
        let third = metrics.exposition(status: Self.status(owned), pipeline: Self.pipeline(), observations: observations)
        #expect(Self.value(of: #"kafka_consumer_lag{topic="events",partition="0"}"#, in: third) == 6)
    }

    @Test("counters follow the pipeline's cumulative counts and never go back")
    func countersAreMonotonic() {
        let metrics = ServiceMetrics(version: "1", group: "g", topic: "events")
        let observations = ConsumerObservationsFixture.make()
        let text = metrics.exposition(status: Self.status([]), pipeline: Self.pipeline(consumed: [0: 3]), observations: observations)
        #expect(Self.value(of: #"kafka_consumer_records_consumed_total{topic="events",partition="0"}"#, in: text) == 3)
        #expect(Self.value(of: #"processing_events_processed_total{topic="events"}"#, in: text) == 4)
        #expect(Self.value(of: #"processing_dead_letters_total{topic="events",error_class="invalid_json"}"#, in: text) == 1)
        #expect(Self.value(of: #"processing_events_failed_total{topic="events",error_class="processing_failed"}"#, in: text) == 2)
        #expect(Self.value(of: #"kafka_consumer_rebalances_total{kind="assigned"}"#, in: text) == 0)
        let more = metrics.exposition(status: Self.status([]), pipeline: Self.pipeline(consumed: [0: 10]), observations: observations)
        #expect(Self.value(of: #"kafka_consumer_records_consumed_total{topic="events",partition="0"}"#, in: more) == 10)
        let fewer = metrics.exposition(status: Self.status([]), pipeline: Self.pipeline(consumed: [0: 7]), observations: observations)
        #expect(Self.value(of: #"kafka_consumer_records_consumed_total{topic="events",partition="0"}"#, in: fewer) == 10)
        #expect(Self.value(of: #"processing_service_info{version="1",group="g",topic="events"}"#, in: fewer) == 1)
    }
}
