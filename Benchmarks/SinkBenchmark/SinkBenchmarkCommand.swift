import ArgumentParser
import EventSinks
import Foundation
import Logging
import ProcessingCore
import TestSupport

/// `sink-benchmark`: how fast each store takes the benchmark's events, against that store's own limit on
/// this machine (issue 14, "Speed"), in one run:
///
/// - `postgres`: a throwaway PostgreSQL (initdb into a temporary directory); the limit is `psql \copy` of
///   the same rows from a file into the same table; then `PostgresEventSink` writing them in batches.
/// - `sqlite`: the `sqlite3` shell's `.import` of the same rows (CSV) into the same table, against
///   `SQLiteEventSink` in batches (WAL, synchronous=FULL, a transaction per batch).
/// - `files`: a plain loop writing the same files durably one after the other (write, fsync, rename, fsync
///   the directory), against `FileEventSink` in batches.
///
/// Then the same events once more, all of them already stored: the cost of redeliveries.
@main
struct SinkBenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sink-benchmark",
        abstract: "Events/s of an event sink against its store's own ingest limit (see scripts/benchmark.sh --sink).")

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case postgres, sqlite, files
    }

    @Option(help: "The store: postgres, sqlite or files.")
    var sink: Kind

    @Option(help: "Events to write.")
    var events = 200_000

    @Option(help: "Events per batch (SINK_BATCH_SIZE).")
    var batchSize = 1000

    @Option(help: "Rounds; the median is reported.")
    var rounds = 3

    @Option(help: "Write a JSON report to this file.")
    var json: String?

    @Flag(help: "Also measure the service end to end: mock-kafka → processing-service → the store (needs the release builds of processing-service, mock-kafka and event-producer next to this one).")
    var endToEnd = false

    mutating func run() async throws {
        let logger = Logger(label: "sink-benchmark")
        print("generating \(events) synthetic events...")
        let samples = SampleEvents.make(count: events, partitions: 48, seed: 4).map { SinkEvent(event: $0.event, record: $0.record) }
        var bench = SinkBench(events: samples, batchSize: batchSize, logger: logger)
        bench.endToEnd = endToEnd
        var limits: [Double] = []
        var sinks: [Double] = []
        var duplicates: [Double] = []
        var services: [Double] = []
        for round in 1...rounds {
            let result: SinkBench.Round =
                switch sink {
                case .postgres: try await bench.postgresRound()
                case .sqlite: try await bench.sqliteRound()
                case .files: try await bench.filesRound()
                }
            print(String(format: "round %d: limit %.0f rows/s, sink %.0f events/s (%.2f), all duplicates %.0f events/s",
                         round, result.limit, result.sink, result.sink / result.limit, result.duplicates))
            if let service = result.service {
                print(String(format: "round %d: service end to end %.0f events/s (%.2f x the limit)", round, service, service / result.limit))
                services.append(service)
            }
            limits.append(result.limit)
            sinks.append(result.sink)
            duplicates.append(result.duplicates)
        }
        let limit = median(limits)
        let sinkRate = median(sinks)
        print(String(format: "\n%@: limit (%@) %.0f rows/s; %@ %.0f events/s = %.2f x the limit; all duplicates %.0f events/s (medians of %d)",
                     sink.rawValue, bench.limitName(sink), limit, bench.sinkName(sink), sinkRate, sinkRate / limit, median(duplicates), rounds))
        if !services.isEmpty {
            let ratios = zip(services, limits).map { $0 / $1 }
            print(String(format: "%@: service end to end %.0f events/s = %.2f x the limit (median of per-round ratios %.2f; target >= 0.7)",
                         sink.rawValue, median(services), median(services) / limit, median(ratios)))
        }
        if let json {
            let report: [String: Any] = [
                "service_events_per_second": services,
                "sink": sink.rawValue, "events": events, "batch_size": batchSize, "rounds": rounds,
                "limit_rows_per_second": limits, "sink_events_per_second": sinks, "duplicates_events_per_second": duplicates,
                "median_ratio": sinkRate / limit,
            ]
            try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
                .write(to: URL(fileURLWithPath: json))
        }
    }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
