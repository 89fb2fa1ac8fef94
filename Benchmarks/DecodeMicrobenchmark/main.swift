// Decode-only micro-benchmark on google/swift-benchmark (issue 4): 100 EnrichedEvents per iteration (one
// event is too short for the timer),
// `EnrichedEventDecoder` against the reference decoder (Foundation's `JSONDecoder` into the Codable
// model), on the same synthetic corpus that `decode-benchmark` and the consumer benchmark use.
//
//     swift run -c release --scratch-path .build-release decode-microbenchmark
//
// `decode-benchmark` reports the same comparison per CPU-second of the decoding thread and the
// pipeline's overhead beside it; this one gives the framework's statistics (median, deviation, iterations).
import Benchmark
import EventModel
import EventModelTesting

/// The corpus, and a cursor that hands out its events in turn (one per benchmark iteration).
final class Corpus: @unchecked Sendable {  // used by one benchmark at a time, on the main thread
    let values: [[UInt8]]
    private var index = 0

    init(events: Int, seed: UInt64) {
        var generator = SyntheticEventGenerator(seed: seed)
        values = (0..<events).map { _ in generator.next().value }
    }

    /// The next `eventsPerIteration` events (the corpus size is a multiple of it).
    func nextBatch() -> ArraySlice<[UInt8]> {
        defer { index = (index + eventsPerIteration) % values.count }
        return values[index..<(index + eventsPerIteration)]
    }
}

let eventsPerIteration = 100
let corpus = Corpus(events: 20_000, seed: 1)
let decoder = EnrichedEventDecoder()
let reference = ReferenceEnrichedEventDecoder()

// Timing a decoder that decodes differently would measure something else: both must agree first.
for value in corpus.values {
    let ours = try decoder.decode(value)
    let theirs = try reference.decode(value)
    precondition(
        ours.eventID == theirs.eventID && ours.eventType == theirs.eventType && ours.timestamp == theirs.timestamp
            && ours.userID == theirs.userID && ours.sessionID == theirs.sessionID && ours.pageURL == theirs.pageURL
            && ours.clientInfo == theirs.clientInfo && ours.serviceInfo == theirs.serviceInfo
            && ours.processingInfo == theirs.processingInfo,
        "decoders disagree on \(String(decoding: value, as: UTF8.self))")
}

// The framework times iterations; these columns turn the median iteration into per-event figures.
func medianNanoseconds(_ result: BenchmarkResult) -> Double {
    let sorted = result.measurements.sorted()
    return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
}
BenchmarkColumn.register(BenchmarkColumn(
    name: "ns/event", value: { medianNanoseconds($0) / Double(eventsPerIteration) }, unit: .none))
BenchmarkColumn.register(BenchmarkColumn(
    name: "events/s", value: { 1e9 * Double(eventsPerIteration) / max(medianNanoseconds($0), 1) }, unit: .none,
    formatter: BenchmarkFormatter.integer))

benchmark("EnrichedEventDecoder: validate and decode") {
    for value in corpus.nextBatch() {
        let event = try decoder.decode(value)
        precondition(event.timestamp.secondsSinceEpoch > 0)
    }
}

benchmark("EnrichedEventDecoder + event_type, event_id, user_id") {
    for value in corpus.nextBatch() {
        let event = try decoder.decode(value)
        precondition(event.eventType.utf8.count + event.eventID.utf8.count + (event.userID?.utf8.count ?? 0) > 0)
    }
}

benchmark("Foundation JSONDecoder (reference)") {
    for value in corpus.nextBatch() {
        let event = try reference.decode(value)
        precondition(event.timestamp.secondsSinceEpoch > 0)
    }
}

Benchmark.main(customDefaults: defaultSettings + [Columns(["name", "time", "std", "iterations", "ns/event", "events/s"])])
