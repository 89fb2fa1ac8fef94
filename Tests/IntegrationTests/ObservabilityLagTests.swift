import Foundation
import Kafka
import TestSupport
import Testing

/// `/metrics` and `/status` of the real executable against `mock-kafka`: lag exact for a partition halted
/// behind a poison event (DLQ_ENABLED=false) and growing as events arrive on it, 0 elsewhere and after
/// catching up; counters equal to what was consumed, processed and dead-lettered; a revoked partition's
/// series gone.
@Suite("Lag and counters of the running service")
struct ObservabilityLagTests {
    static func valid(_ count: Int, partition: Int32, seed: UInt64) -> [ProducerRecord] {
        RecordPublisher.validEvents(topic: "events", count: count, partitions: 1, seed: seed).map {
            ProducerRecord(topic: "events", partition: partition, key: $0.key, value: $0.value)
        }
    }

    static func poison(partition: Int32) -> ProducerRecord {
        ProducerRecord(topic: "events", partition: partition, key: Array("poison".utf8), value: Array("not json".utf8))
    }

    @Test("lag is exact behind a halted partition and grows as events arrive; 0 on the partition that caught up")
    func lagBehindAHaltedPartition() async throws {
        let broker = try await MockBroker(topics: ["events": 2])
        defer { broker.requestStop() }
        let publisher = try RecordPublisher(bootstrapServers: broker.bootstrapServers)
        // Partition 0: offsets 0-4 valid, 5 poison, 6-9 valid. Partition 1: 0-5 valid.
        _ = try await publisher.publish(Self.valid(5, partition: 0, seed: 1) + [Self.poison(partition: 0)] + Self.valid(4, partition: 0, seed: 2))
        _ = try await publisher.publish(Self.valid(6, partition: 1, seed: 3))
        let service = try ServiceProcess(environment: ServiceProcess.environment(
            broker: broker, topic: "events", groupID: uniqueGroupID("lag-halted"), ["DLQ_ENABLED": "false"]))
        let endpoints = try await ServiceEndpoints.of(service)
        try await service.waitForProcessed(upTo: [0: 5, 1: 6])

        var scrape = MetricsScrape("")
        try await eventuallyAsync("lag 5 on the halted partition, 0 on the other", details: { "\(scrape)" }) {
            scrape = try await endpoints.metrics()
            return scrape.value("kafka_consumer_lag", ["partition": "0"]) == 5 && scrape.value("kafka_consumer_lag", ["partition": "1"]) == 0
        }
        #expect(scrape.value("kafka_consumer_paused_partitions") == 1)
        #expect(scrape.value("processing_events_processed_total", ["topic": "events"]) == 11)
        #expect(scrape.value("kafka_consumer_assigned_partitions") == 2)
        #expect(!scrape.samples("kafka_consumer_lag").contains { $0.value < 0 }, "lag is never negative or -1")

        // More events behind the poison one: the queried high watermark moves although the partition is paused.
        _ = try await publisher.publish(Self.valid(3, partition: 0, seed: 4))
        try await eventuallyAsync("lag 8 on the halted partition", details: { "\(scrape)" }) {
            scrape = try await endpoints.metrics()
            return scrape.value("kafka_consumer_lag", ["partition": "0"]) == 8
        }
        let status = try await endpoints.status()
        let halted = (status["partitions"] as? [[String: Any]])?.first { $0["partition"] as? Int == 0 }
        #expect(halted?["paused"] as? Bool == true)
        #expect(halted?["next_offset"] as? Int == 5)
        #expect(halted?["high_watermark"] as? Int == 13)
        #expect(halted?["lag"] as? Int == 8)
        await publisher.close()
        #expect(try await service.shutDown() == .exited(0))
    }

    @Test("counters equal what was consumed, processed and dead-lettered; lag is 0 everywhere after catching up")
    func countersAndCatchUp() async throws {
        let broker = try await MockBroker(topics: ["events": 3, "events.dlq": 1])
        defer { broker.requestStop() }
        let publisher = try RecordPublisher(bootstrapServers: broker.bootstrapServers)
        var records: [ProducerRecord] = []
        for partition: Int32 in 0..<3 {
            records += Self.valid(20, partition: partition, seed: UInt64(partition) + 10)
            records.append(Self.poison(partition: partition))
        }
        _ = try await publisher.publish(records)
        let service = try ServiceProcess(environment: ServiceProcess.environment(broker: broker, topic: "events", groupID: uniqueGroupID("lag-counters")))
        let endpoints = try await ServiceEndpoints.of(service)
        try await service.waitForProcessed(count: 60)

        var scrape = MetricsScrape("")
        try await eventuallyAsync("every count in /metrics and lag 0 on every partition", details: { "\(scrape)" }) {
            scrape = try await endpoints.metrics()
            let lags = scrape.samples("kafka_consumer_lag")
            let committedLags = scrape.samples("kafka_consumer_committed_lag")
            return lags.count == 3 && lags.allSatisfy { $0.value == 0 }
                && committedLags.count == 3 && committedLags.allSatisfy { $0.value == 0 }
                && scrape.value("processing_dead_letters_total", ["error_class": "invalid_json"]) == 3
        }
        #expect(scrape.value("processing_events_processed_total", ["topic": "events"]) == 60)
        for partition in 0..<3 {
            #expect(scrape.value("kafka_consumer_records_consumed_total", ["topic": "events", "partition": "\(partition)"]) == 21)
        }
        #expect(scrape.samples("processing_dead_letters_total").reduce(0) { $0 + $1.value } == 3)
        #expect(scrape.value("processing_duration_seconds_count", ["topic": "events"]) == 60)
        #expect(scrape.value("processing_event_age_seconds_count", ["topic": "events"]) == 63)
        #expect(scrape.value("kafka_consumer_rebalances_total", ["kind": "assigned"]) == 1)
        #expect(scrape.value("kafka_consumer_paused_partitions") == 0)
        #expect(scrape.value("kafka_brokers_connected") == 1)
        #expect(scrape.value("processing_service_info", ["topic": "events"]) == 1)
        await publisher.close()
        #expect(try await service.shutDown() == .exited(0))
    }

    @Test("a revoked partition's lag series disappears from the member that gave it up")
    func revokedSeriesDisappear() async throws {
        let broker = try await MockBroker(topics: ["events": 4])
        defer { broker.requestStop() }
        let group = uniqueGroupID("lag-revoke")
        let first = try ServiceProcess(environment: ServiceProcess.environment(broker: broker, topic: "events", groupID: group))
        let endpoints = try await ServiceEndpoints.of(first)
        var scrape = MetricsScrape("")
        try await eventuallyAsync("lag series for all four partitions", details: { "\(scrape)" }) {
            scrape = try await endpoints.metrics()
            return scrape.samples("kafka_consumer_lag").count == 4
        }
        let second = try ServiceProcess(environment: ServiceProcess.environment(broker: broker, topic: "events", groupID: group))
        try await second.waitForAssignment()
        try await eventuallyAsync("the first member's series only for the partitions it still owns", details: { "\(scrape)\n\(first.assignment)" }) {
            scrape = try await endpoints.metrics()
            let series = Set(scrape.samples("kafka_consumer_lag").compactMap { $0.labels["partition"].flatMap { Int32($0) } })
            let committed = Set(scrape.samples("kafka_consumer_committed_lag").compactMap { $0.labels["partition"].flatMap { Int32($0) } })
            return series.count == 2 && series == first.assignment && committed.isSubset(of: series)
        }
        #expect(scrape.value("kafka_consumer_rebalances_total", ["kind": "revoked"]) == 1)
        #expect(scrape.value("kafka_consumer_assigned_partitions") == 2)
        #expect(try await second.shutDown() == .exited(0))
        #expect(try await first.shutDown() == .exited(0))
    }
}
