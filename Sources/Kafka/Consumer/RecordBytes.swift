/// Where a consumed record's partition, key and value live: a `RecordArena` shared by a run of consecutive
/// records of one partition from one poll, plus this record's byte ranges in it.
///
/// Why not a `TopicPartition` and two arrays per record: at several hundred thousand records per second,
/// the two allocations, their frees on another thread (the worker, contending for the allocator's lock)
/// and the reference count of the topic name — one string shared by every record, so its count was
/// changed from the poll thread and the workers at once, bouncing its cache line between cores — were
/// about a fifth of the service's CPU time. One arena per run costs one allocation and one reference count
/// per run. Per-partition runs, rather than one arena per poll, keep what a slow partition pins to its own
/// records: a partition waiting on a retry keeps only its own runs alive.
///
/// Every value is followed by ``valuePadding`` zero bytes in the arena, so that parsers reading 16 or 32
/// bytes at a time (the event decoder, simdjson-style scanners) can work on the record's own memory
/// instead of copying the value into a padded buffer of their own.
///
/// `@unchecked Sendable`: the arena (a `ManagedBuffer`, which the standard library marks non-Sendable) is
/// written only while the records are made, before any of them is shared, and only read afterwards.
struct RecordBytes: @unchecked Sendable {
    private let arena: RecordArena
    private let keyStart: Int32
    /// -1 when the record has no key.
    private let keyCount: Int32
    private let valueStart: Int32
    /// -1 for a null value (tombstone).
    private let valueCount: Int32

    /// Ranges in an arena filled by `NativeRecordReader`, which keeps every arena below 2 GiB.
    init(arena: RecordArena, keyStart: Int, keyCount: Int, valueStart: Int, valueCount: Int) {
        self.arena = arena
        self.keyStart = Int32(truncatingIfNeeded: keyStart)
        self.keyCount = Int32(truncatingIfNeeded: keyCount)
        self.valueStart = Int32(truncatingIfNeeded: valueStart)
        self.valueCount = Int32(truncatingIfNeeded: valueCount)
    }

    /// Zero bytes after every value in an arena.
    static let valuePadding = 32

    /// Copies `key` and `value` into an arena of their own (records made by hand, e.g. in tests).
    init(topicPartition: TopicPartition, key: [UInt8]?, value: [UInt8]?) {
        let arena = RecordArena.make(
            topicPartition: topicPartition, capacity: (key?.count ?? 0) + (value?.count ?? 0) + Self.valuePadding)
        var used = 0
        arena.withUnsafeMutablePointerToElements { base in
            for bytes in [key, value] {
                guard let bytes, !bytes.isEmpty else { continue }
                bytes.withUnsafeBufferPointer { (base + used).initialize(from: $0.baseAddress!, count: $0.count) }
                used += bytes.count
            }
            (base + used).initialize(repeating: 0, count: Self.valuePadding)
        }
        self.init(
            arena: arena, keyStart: 0, keyCount: key?.count ?? -1,
            valueStart: key?.count ?? 0, valueCount: value?.count ?? -1)
    }

    var topicPartition: TopicPartition { arena.header }

    /// Whether both records were copied in the same run (and so are of the same partition).
    func sharesArena(with other: RecordBytes) -> Bool { arena === other.arena }
    var key: [UInt8]? { copy(start: keyStart, count: keyCount) }
    var value: [UInt8]? { copy(start: valueStart, count: valueCount) }
    var valueCountOrNil: Int? { valueCount < 0 ? nil : Int(valueCount) }

    func withUnsafeValue<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer?) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try withUnsafePaddedValue { (value, _) throws(Failure) in try body(value) }
    }

    /// The value in place, and the arena, which keeps the bytes (and the `valuePadding` zero bytes after
    /// them) alive for as long as it is held.
    func withUnsafePaddedValue<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer?, AnyObject) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        guard valueCount >= 0 else { return try body(nil, arena) }
        // `self` holds the arena for the whole call, so the pointer stays valid while `body` runs.
        let base = arena.withUnsafeMutablePointerToElements { UnsafeRawPointer($0) }
        defer { withExtendedLifetime(arena) {} }
        return try body(UnsafeRawBufferPointer(start: base + Int(valueStart), count: Int(valueCount)), arena)
    }

    private func copy(start: Int32, count: Int32) -> [UInt8]? {
        guard count >= 0 else { return nil }
        return arena.withUnsafeMutablePointerToElements {
            Array(UnsafeBufferPointer(start: $0 + Int(start), count: Int(count)))
        }
    }
}

/// One allocation holding the partition (as its header) and the key and value bytes of a run of records
/// (see `RecordBytes`). Written once, while the records are made on the poll thread; only read afterwards.
final class RecordArena: ManagedBuffer<TopicPartition, UInt8> {
    static func make(topicPartition: TopicPartition, capacity: Int) -> RecordArena {
        // `create` returns an instance of the subclass it is called on.
        unsafeDowncast(
            RecordArena.create(minimumCapacity: max(capacity, 1)) { _ in topicPartition }, to: RecordArena.self)
    }
}
