/// The heap buffer behind an `EnrichedEvent`, in one of two layouts:
///
///     copied:   [ payload: the record value ][ zero padding ][ span table: 8 bytes per field ]
///     borrowed: [ span table ]   (the payload, followed by zero padding, lives in `Header.owner`)
///
/// The `ManagedBuffer` header holds the payload length and, for the borrowed layout, where the payload
/// is and the object that keeps it alive.
///
/// Why one buffer: strings are materialized lazily from the payload, after the record's memory has been
/// returned to librdkafka, so the payload must outlive the decode call. Either the decoder copies it (with
/// the padding the scanner needs and the table of member positions in the same allocation: one `malloc`
/// per event, none when recycled), or — when the caller's bytes already carry that padding and an owner,
/// as the consumer's record arenas do — the event keeps the owner and skips the copy (see
/// `EnrichedEventDecoder.decode(paddedBytes:owner:recycling:)`).
///
/// The span table has one slot per ``EventField`` (indexed by raw value); slots of absent members, and of
/// fields that have no span (the nested objects, `processing_ms`), hold ``ByteSpan/absent``.
///
/// A `ManagedBuffer` subclass rather than `[UInt8]`: creating an array of a computed size goes through an
/// unspecialized standard-library entry point that looks up generic metadata on every call (measured: ~8% of
/// the decoder's instructions); a final class with tail-allocated bytes is one `swift_allocObject`.
/// Immutable once built, so safe to share between threads (see `EnrichedEvent.storage`).
final class EventStorage: ManagedBuffer<EventStorage.Header, UInt8> {
    struct Header {
        var payloadCount: Int
        /// The payload when it is not in this buffer (borrowed layout), else nil.
        var external: UnsafePointer<UInt8>?
        /// Keeps `external` alive.
        var owner: AnyObject?
    }

    static let padding = JSONValidatingScanner.padding
    static let slotCount = 20
    static let tableSize = slotCount * MemoryLayout<ByteSpan>.stride

    static func capacity(payloadCount: Int) -> Int {
        payloadCount + padding + tableSize
    }

    /// Allocates storage for a payload of `payloadCount` bytes and lets `initialize` fill it: it gets the
    /// whole buffer (payload, padding, table: `capacity(payloadCount:)` bytes) and must initialize it all.
    static func make(
        payloadCount: Int, _ initialize: (UnsafeMutablePointer<UInt8>) -> Void
    ) -> EventStorage {
        make(payloadCount: payloadCount, reusing: nil, initialize)
    }

    /// Like `make(payloadCount:_:)`, but fills `reusable` instead of allocating when it is large enough.
    /// The caller must hold the only reference to `reusable` (see `EnrichedEventDecoder.decode(_:recycling:)`).
    static func make(
        payloadCount: Int, reusing reusable: EventStorage?, _ initialize: (UnsafeMutablePointer<UInt8>) -> Void
    ) -> EventStorage {
        make(
            Header(payloadCount: payloadCount), capacity: capacity(payloadCount: payloadCount), reusing: reusable,
            initialize)
    }

    /// Storage in the borrowed layout: the payload stays at `payload` (followed by `padding` zero bytes,
    /// kept alive by `owner`); `initializeTable` gets this buffer's `tableSize` bytes for the span table.
    /// Fills `reusable` (whatever its layout) when it is given, as `make(payloadCount:reusing:_:)` does.
    static func make(
        borrowing payload: UnsafePointer<UInt8>, count payloadCount: Int, owner: AnyObject,
        reusing reusable: EventStorage?, _ initializeTable: (UnsafeMutablePointer<UInt8>) -> Void
    ) -> EventStorage {
        if let reusable, reusable.capacity >= tableSize {
            // In place, and the owner swapped only when it changes: consecutive records mostly share their
            // arena, and swapping it anyway cost a retain and a release per event on a count the poll
            // thread's records change too.
            reusable.withUnsafeMutablePointerToHeader { header in
                header.pointee.payloadCount = payloadCount
                header.pointee.external = payload
                if header.pointee.owner !== owner { header.pointee.owner = owner }
            }
            reusable.withUnsafeMutablePointerToElements { initializeTable($0) }
            return reusable
        }
        return make(
            Header(payloadCount: payloadCount, external: payload, owner: owner), capacity: tableSize,
            reusing: nil, initializeTable)
    }

    /// Storage with `header` and at least `capacity` bytes, which `initialize` fills: `reusable` when it
    /// is large enough, else a new buffer.
    private static func make(
        _ header: Header, capacity: Int, reusing reusable: EventStorage?,
        _ initialize: (UnsafeMutablePointer<UInt8>) -> Void
    ) -> EventStorage {
        let storage: EventStorage
        if let reusable, reusable.capacity >= capacity {
            reusable.header = header
            storage = reusable
        } else {
            storage = unsafeDowncast(create(minimumCapacity: capacity) { _ in header }, to: EventStorage.self)
        }
        storage.withUnsafeMutablePointerToElements { initialize($0) }
        return storage
    }

    /// Builds storage for an event made from values (not decoded): the members' UTF-8 bytes back to back.
    static func make(payload: [UInt8], spans: [(EventField, ByteSpan)]) -> EventStorage {
        make(payloadCount: payload.count) { base in
            base.initialize(repeating: 0, count: capacity(payloadCount: payload.count))
            payload.withUnsafeBufferPointer { source in
                if let source = source.baseAddress { base.update(from: source, count: payload.count) }
            }
            let table = SpanTable(base: UnsafeMutableRawPointer(base + payload.count + padding))
            table.initializeAllAbsent()
            for (field, span) in spans { table[field] = span }
        }
    }

    /// Calls `body` with the payload bytes.
    @inline(__always)
    func withPayload<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let count = header.payloadCount
        if let external = header.external {
            return withExtendedLifetime(self) { body(UnsafeBufferPointer(start: external, count: count)) }
        }
        return withUnsafeMutablePointerToElements { body(UnsafeBufferPointer(start: $0, count: count)) }
    }

    /// Where `field`'s value is in the payload (``ByteSpan/absent`` if it is not there).
    @inline(__always)
    func span(_ field: EventField) -> ByteSpan {
        let tableOffset = header.external == nil ? header.payloadCount + Self.padding : 0
        return withUnsafeMutablePointerToElements { base in
            SpanTable(base: UnsafeMutableRawPointer(base + tableOffset))[field]
        }
    }
}

/// Writes member spans into an ``EventStorage`` span table while it is being built.
struct SpanTable {
    let base: UnsafeMutableRawPointer

    func initializeAllAbsent() {
        for slot in 0..<EventStorage.slotCount {
            base.storeBytes(of: ByteSpan.absent, toByteOffset: slot * MemoryLayout<ByteSpan>.stride, as: ByteSpan.self)
        }
    }

    subscript(field: EventField) -> ByteSpan {
        @inline(__always) get {
            base.loadUnaligned(fromByteOffset: Int(field.rawValue) &* MemoryLayout<ByteSpan>.stride, as: ByteSpan.self)
        }
        @inline(__always) nonmutating set {
            base.storeBytes(
                of: newValue, toByteOffset: Int(field.rawValue) &* MemoryLayout<ByteSpan>.stride, as: ByteSpan.self)
        }
    }
}
