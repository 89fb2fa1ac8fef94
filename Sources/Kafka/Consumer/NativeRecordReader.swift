import CRdKafka
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Copies native messages into `KafkaRecord`s on the poll thread, cheaply: the key and value bytes of
/// each run of consecutive messages of one partition go into one shared allocation (see `RecordBytes`;
/// each value followed by `RecordBytes.valuePadding` zero bytes),
/// headers are copied only when a message has any, and topic names come from a per-topic-handle cache
/// instead of a `String` per message.
///
/// Confined to the poll thread (owned by `ConsumerPollLoop`).
struct NativeRecordReader {
    /// Topic handle (`rd_kafka_topic_t *`) -> its name, both as a Swift string for records and as C bytes
    /// to verify the entry: librdkafka could reuse an address for another topic after destroying a handle.
    private var topicNames: [OpaquePointer: (name: String, cName: ContiguousArray<CChar>)] = [:]
    private var lastTopic: (handle: OpaquePointer, name: String, cName: ContiguousArray<CChar>)?

    /// The most bytes one arena holds (`RecordBytes` stores 32-bit offsets).
    static let maxArenaBytes = Int(Int32.max)
    /// This reader's bound: `maxArenaBytes`, or less in tests of the run splitting.
    private let arenaByteLimit: Int
    /// `readsHeaderCountInPlace`, read once: a `static let` costs a once-check on every access, here per record.
    private let readsHeaderCountInPlace = Self.readsHeaderCountInPlace

    /// - Parameter arenaByteLimit: at most `maxArenaBytes` (only tests pass less).
    init(arenaByteLimit: Int = maxArenaBytes) {
        precondition(arenaByteLimit > 0 && arenaByteLimit <= Self.maxArenaBytes, "arena limit out of range")
        self.arenaByteLimit = arenaByteLimit
    }

    /// Copies messages that have no error into records, appended to `records` in the same order. The
    /// native messages stay owned by the caller.
    mutating func appendRecords(
        of messages: some Collection<UnsafeMutablePointer<rd_kafka_message_t>>, to records: inout [KafkaRecord]
    ) {
        var runStart = messages.startIndex
        while runStart != messages.endIndex {
            let first = messages[runStart].pointee
            var runEnd = messages.index(after: runStart)
            let padding = RecordBytes.valuePadding
            var total = first.key_len + first.len + padding
            while runEnd != messages.endIndex {
                let next = messages[runEnd].pointee
                guard next.rkt == first.rkt, next.partition == first.partition else { break }
                // `RecordBytes` keeps 32-bit offsets: a run that would pass 2 GiB (only with huge
                // messages and batches) continues in a new arena.
                guard total + next.key_len + next.len + padding <= arenaByteLimit else { break }
                total &+= next.key_len &+ next.len &+ padding
                runEnd = messages.index(after: runEnd)
            }
            appendRun(messages[runStart..<runEnd], totalBytes: total, to: &records)
            runStart = runEnd
        }
    }

    /// One run: messages of the same partition, whose keys and values share one arena.
    private mutating func appendRun(
        _ run: some Collection<UnsafeMutablePointer<rd_kafka_message_t>>, totalBytes: Int, to records: inout [KafkaRecord]
    ) {
        guard let head = run.first else { return }
        let topicPartition = TopicPartition(topic: topicName(of: head.pointee.rkt), partition: head.pointee.partition)
        let arena = RecordArena.make(topicPartition: topicPartition, capacity: totalBytes)
        arena.withUnsafeMutablePointerToElements { base in
            var used = 0
            for message in run {
                let native = message.pointee
                let keyStart = used
                if let key = native.key, native.key_len > 0 {
                    (base + used).initialize(from: key.assumingMemoryBound(to: UInt8.self), count: native.key_len)
                    used &+= native.key_len
                }
                let valueStart = used
                // A NULL payload is a tombstone (null value): a count of -1, never a crash.
                if let payload = native.payload, native.len > 0 {
                    (base + used).initialize(from: payload.assumingMemoryBound(to: UInt8.self), count: native.len)
                    used &+= native.len
                }
                (base + used).initialize(repeating: 0, count: RecordBytes.valuePadding)
                used &+= RecordBytes.valuePadding
                var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
                let timestamp = rd_kafka_message_timestamp(message, &timestampType)
                records.append(KafkaRecord(
                    offset: native.offset,
                    bytes: RecordBytes(
                        arena: arena,
                        keyStart: keyStart, keyCount: native.key == nil ? -1 : native.key_len,
                        valueStart: valueStart, valueCount: native.payload == nil ? -1 : native.len),
                    timestampMilliseconds: timestampType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE || timestamp < 0 ? nil : timestamp,
                    headers: headers(of: message)
                ))
            }
        }
    }

    /// The headers of a message, in order; empty (and no allocation) when it has none.
    private func headers(of message: UnsafeMutablePointer<rd_kafka_message_t>) -> [KafkaHeader] {
        if readsHeaderCountInPlace, Self.recordSaysItHasNoHeaders(message.pointee) { return [] }
        var nativeHeaders: OpaquePointer?
        guard rd_kafka_message_headers(message, &nativeHeaders) == RD_KAFKA_RESP_ERR_NO_ERROR,
            let nativeHeaders
        else { return [] }
        var headers: [KafkaHeader] = []
        var index = 0
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        while rd_kafka_header_get_all(nativeHeaders, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
            headers.append(KafkaHeader(
                name: name.map { String(cString: $0) } ?? "",
                value: value.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: size)) }
            ))
            index += 1
        }
        return headers
    }

    /// Whether the record's own bytes say it has no headers: it is of the v2 format and the byte right
    /// after its value is 0, a header count of zero.
    ///
    /// Why: `rd_kafka_message_headers` costs a `calloc` and a `free` (a parse buffer, `rd_kafka_buf_new_shadow`
    /// in `rd_kafka_msg_headers_parse`) for every record of the v2 format, headers or not, because the
    /// header count is part of the bytes it parses; glibc's `calloc` bypasses the thread cache, so this was
    /// 7% of the service's CPU time in the consumer benchmark (perf), a third of the poll thread's.
    ///
    /// Why it is sound, with librdkafka 2.0 (`readsHeaderCountInPlace`): a consumed message's `payload`
    /// points into the fetched batch (`rd_kafka_msgset_reader_msg_v2` and `_v0_1` pass the value's
    /// position on without a copy; a decompressed batch is one buffer too). In the old v0/v1 formats the
    /// value is preceded by its length as a 4-byte big-endian integer; in v2 by a zig-zag varint and laid
    /// out `… valueLength value headerCount headers` (Kafka protocol, "Record"). So when the 4 bytes before
    /// the value are not its length, the record is v2, and the byte after the value is the first byte of
    /// its header count, inside the record, 0 exactly when the count is 0. Everything else — a count, a
    /// v0/v1 record (which has no headers, and no allocation in librdkafka's call either), a v2 record
    /// whose preceding bytes happen to read as its length, a tombstone (no `payload` to look around), an
    /// empty value (librdkafka points it at a static `""`, not into the record: `rd_kafka_buf_read_bytes_varint`)
    /// — goes through librdkafka as before: the shortcut is never wrong, at worst not taken.
    @inline(__always)
    static func recordSaysItHasNoHeaders(_ message: rd_kafka_message_t) -> Bool {
        guard let payload = message.payload, message.len > 0, message.len <= Int(Int32.max) else { return false }
        let precedingLength = Int32(bigEndian: payload.loadUnaligned(fromByteOffset: -4, as: Int32.self))
        guard precedingLength != Int32(message.len) else { return false }
        return payload.load(fromByteOffset: message.len, as: UInt8.self) == 0
    }

    /// Whether the linked librdkafka is a 2.0 release, whose record layout `recordSaysItHasNoHeaders`
    /// was checked against (`rd_kafka_version()` is `0xMMmmrrxx`); any other version parses every
    /// record's headers through librdkafka.
    static let readsHeaderCountInPlace = rd_kafka_version() >> 16 == 0x0200

    private mutating func topicName(of topicHandle: OpaquePointer?) -> String {
        guard let topicHandle, let cName = rd_kafka_topic_name(topicHandle) else { return "" }
        // Consecutive messages mostly share a topic: check the last one before hashing.
        if let last = lastTopic, last.handle == topicHandle, Self.matches(last.cName, cName) {
            return last.name
        }
        if let cached = topicNames[topicHandle], Self.matches(cached.cName, cName) {
            lastTopic = (topicHandle, cached.name, cached.cName)
            return cached.name
        }
        let name = String(cString: cName)
        topicNames[topicHandle] = (name, name.utf8CString)
        lastTopic = (topicHandle, name, name.utf8CString)
        return name
    }

    private static func matches(_ cached: ContiguousArray<CChar>, _ cName: UnsafePointer<CChar>) -> Bool {
        cached.withUnsafeBufferPointer { strcmp($0.baseAddress!, cName) == 0 }
    }
}
