import EventModel
import EventModelTesting

/// The records to publish: synthetic `EnrichedEvent`s from `SyntheticEventGenerator`, with an invalid
/// record in place of every `invalidEvery`-th one when asked (for dead-letter demos and tests).
///
/// Invalid records cycle through `SyntheticEventGenerator.invalidSamples()` (not JSON, missing fields,
/// wrong types, bad timestamps, invalid UTF-8, a tombstone, an empty value, absurd nesting), keyed like a
/// valid event so they spread over the partitions the same way.
struct EventSource {
    struct Record {
        var key: [UInt8]
        /// nil is a tombstone.
        var value: [UInt8]?
        var isInvalid: Bool
    }

    private var generator: SyntheticEventGenerator
    private let invalidEvery: Int?
    private let invalidSamples = SyntheticEventGenerator.invalidSamples()
    private var produced = 0
    private var invalidProduced = 0

    /// - Parameter invalidEvery: make every K-th record invalid (K ≥ 1); nil for none.
    init(seed: UInt64, invalidEvery: Int?) {
        precondition(invalidEvery.map { $0 >= 1 } ?? true, "invalidEvery must be at least 1")
        generator = SyntheticEventGenerator(seed: seed)
        self.invalidEvery = invalidEvery
    }

    mutating func next() -> Record {
        produced += 1
        let event = generator.next()
        if let invalidEvery, produced % invalidEvery == 0, !invalidSamples.isEmpty {
            let sample = invalidSamples[invalidProduced % invalidSamples.count]
            invalidProduced += 1
            return Record(key: event.key, value: sample.value, isInvalid: true)
        }
        return Record(key: event.key, value: event.value, isInvalid: false)
    }
}
