/// One worker's uncounted observations for a `LatencyHistogram`: plain memory, no lock, no atomic.
/// Fill it per event with `record(nanoseconds:)` and hand it to `LatencyHistogram.merge` once per slice.
public struct LatencyTally: Sendable {
    @usableFromInline let upperBounds: [Int64]
    /// Per-bucket counts (not cumulative); the last is the `+Inf` bucket.
    @usableFromInline private(set) var buckets: [Int]
    @usableFromInline private(set) var sumNanoseconds: Int64 = 0
    @usableFromInline private(set) var count = 0

    init(upperBounds: [Int64]) {
        self.upperBounds = upperBounds
        self.buckets = Array(repeating: 0, count: upperBounds.count + 1)
    }

    /// Counts one observation. A linear scan: a dozen bounds, and most observations fall in the first few.
    @inlinable
    public mutating func record(nanoseconds: Int64) {
        record(nanoseconds: nanoseconds, weight: 1)
    }

    /// Counts `weight` observations of `nanoseconds` (a sampled observation standing for several).
    /// - Returns: the bucket it went into.
    @inlinable @discardableResult
    public mutating func record(nanoseconds: Int64, weight: Int) -> Int {
        var index = 0
        let bounds = upperBounds.count
        while index < bounds && nanoseconds > upperBounds[index] { index += 1 }
        buckets[index] += weight
        sumNanoseconds &+= nanoseconds &* Int64(weight)
        count += weight
        return index
    }

    /// Whether nothing was recorded since the last merge.
    public var isEmpty: Bool { count == 0 }

    mutating func reset() {
        for index in buckets.indices { buckets[index] = 0 }
        sumNanoseconds = 0
        count = 0
    }
}
