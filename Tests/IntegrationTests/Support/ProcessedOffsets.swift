/// Which offsets of which partitions were processed, in the order they were processed: what delivery
/// assertions (exactly once, nothing lost, order kept, commits never ahead of work) are checked against.
struct ProcessedOffsets: Sendable, Equatable, CustomStringConvertible {
    /// Per partition, the offsets in processing order (repeats included).
    private(set) var byPartition: [Int32: [Int64]] = [:]

    init() {}

    mutating func record(partition: Int32, offset: Int64) {
        byPartition[partition, default: []].append(offset)
    }

    /// The union of two runs' work (e.g. before and after a restart), keeping each run's order.
    func merging(_ other: ProcessedOffsets) -> ProcessedOffsets {
        var merged = self
        merged.byPartition.merge(other.byPartition) { $0 + $1 }
        return merged
    }

    /// Events processed, repeats included.
    var count: Int { byPartition.values.reduce(0) { $0 + $1.count } }

    var partitions: Set<Int32> { Set(byPartition.filter { !$0.value.isEmpty }.keys) }

    func offsets(of partition: Int32) -> [Int64] { byPartition[partition] ?? [] }

    /// The highest processed offset of `partition`, or nil when none was processed.
    func maxOffset(of partition: Int32) -> Int64? { byPartition[partition]?.max() }

    /// Offsets processed more than once, per partition (empty when everything was processed at most once).
    var duplicates: [Int32: [Int64]] {
        var result: [Int32: [Int64]] = [:]
        for (partition, offsets) in byPartition {
            var seen = Set<Int64>()
            let repeated = Set(offsets.filter { !seen.insert($0).inserted })
            if !repeated.isEmpty { result[partition] = repeated.sorted() }
        }
        return result
    }

    /// The offsets below each partition's `end` (exclusive; e.g. its high watermark or committed offset)
    /// that were never processed (empty when nothing is missing).
    func missing(below ends: [Int32: Int64], from starts: [Int32: Int64] = [:]) -> [Int32: [Int64]] {
        var result: [Int32: [Int64]] = [:]
        for (partition, end) in ends {
            let done = Set(offsets(of: partition))
            let start = starts[partition] ?? 0
            guard start < end else { continue }
            let absent = (start..<end).filter { !done.contains($0) }
            if !absent.isEmpty { result[partition] = absent }
        }
        return result
    }

    /// Whether every offset below each partition's `end` was processed exactly once and nothing else.
    func isExactlyOnce(upTo ends: [Int32: Int64]) -> Bool {
        duplicates.isEmpty && missing(below: ends).isEmpty
            && byPartition.allSatisfy { partition, offsets in offsets.allSatisfy { $0 < (ends[partition] ?? 0) } }
    }

    /// Partitions whose offsets were not processed in strictly increasing order (empty when order was
    /// kept everywhere). Meaningful for one run without rebalances; a restart legitimately goes back.
    var outOfOrderPartitions: [Int32] {
        byPartition.filter { _, offsets in zip(offsets, offsets.dropFirst()).contains { $0 >= $1 } }.keys.sorted()
    }

    var description: String {
        byPartition.keys.sorted().map { partition in
            let offsets = byPartition[partition] ?? []
            return "[\(partition)]: \(offsets.count) events, offsets \(offsets.min() ?? -1)...\(offsets.max() ?? -1)"
        }.joined(separator: "; ")
    }
}
