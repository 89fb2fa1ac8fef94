/// The key and value bytes of consumed records, copied out of librdkafka: the bytes of a run of
/// consecutive records of one partition from one poll share one allocation (a `RecordArena`).
///
/// Why not an array per key and per value: at several hundred thousand records per second those two
/// allocations, their copies and their frees on another thread (the worker that processes the record,
/// contending for the allocator's lock) were about a tenth of the service's CPU time. One arena per run
/// costs one allocation per partition per poll. Per-partition runs rather than one arena per poll
/// keep what a slow partition pins to its own records: a partition waiting on a retry keeps only its
/// own runs alive, never the bytes of partitions that moved on.
///
/// `@unchecked Sendable`: the arena (a `ManagedBuffer`, which the standard library marks non-Sendable) is
/// written only while the records are made, before any of them is shared, and only read afterwards.
struct RecordBytes: @unchecked Sendable {
    /// Shared storage; nil when the record has neither key nor value.
    private let arena: RecordArena?
    private let keyStart: Int
    /// -1 when the record has no key.
    private let keyCount: Int
    private let valueStart: Int
    /// -1 for a null value (tombstone).
    private let valueCount: Int

    init(arena: RecordArena?, keyStart: Int, keyCount: Int, valueStart: Int, valueCount: Int) {
        self.arena = arena
        self.keyStart = keyStart
        self.keyCount = keyCount
        self.valueStart = valueStart
        self.valueCount = valueCount
    }

    /// Copies `key` and `value` into an arena of their own (records made by hand, e.g. in tests).
    init(key: [UInt8]?, value: [UInt8]?) {
        let total = (key?.count ?? 0) + (value?.count ?? 0)
        let arena = RecordArena.make(capacity: total)
        var used = 0
        arena.withUnsafeMutablePointerToElements { base in
            for bytes in [key, value] {
                guard let bytes else { continue }
                bytes.withUnsafeBufferPointer { (base + used).initialize(from: $0.baseAddress!, count: $0.count) }
                used += bytes.count
            }
        }
        self.init(
            arena: arena, keyStart: 0, keyCount: key?.count ?? -1,
            valueStart: key?.count ?? 0, valueCount: value?.count ?? -1)
    }

    var key: [UInt8]? { copy(start: keyStart, count: keyCount) }
    var value: [UInt8]? { copy(start: valueStart, count: valueCount) }
    var valueCountOrNil: Int? { valueCount < 0 ? nil : valueCount }

    func withUnsafeValue<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer?) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        guard valueCount >= 0 else { return try body(nil) }
        guard let arena else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        // The arena is alive for the whole call: `self` holds it.
        let base = arena.withUnsafeMutablePointerToElements { UnsafeRawPointer($0) }
        defer { withExtendedLifetime(arena) {} }
        return try body(UnsafeRawBufferPointer(start: base + valueStart, count: valueCount))
    }

    private func copy(start: Int, count: Int) -> [UInt8]? {
        guard count >= 0 else { return nil }
        guard let arena, count > 0 else { return [] }
        return arena.withUnsafeMutablePointerToElements {
            Array(UnsafeBufferPointer(start: $0 + start, count: count))
        }
    }
}

/// One allocation holding the key and value bytes of a run of records (see `RecordBytes`). Written once,
/// while the records are made on the poll thread, and only read afterwards.
final class RecordArena: ManagedBuffer<Void, UInt8> {
    static func make(capacity: Int) -> RecordArena {
        // `create` returns the dynamic subclass it was called on.
        unsafeDowncast(RecordArena.create(minimumCapacity: max(capacity, 1)) { _ in }, to: RecordArena.self)
    }
}
