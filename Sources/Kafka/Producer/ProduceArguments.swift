import CRdKafka

extension ProducerRecord {
    /// Calls `body` with the `rd_kafka_vu_t` argument list describing this record for `rd_kafka_produceva`.
    ///
    /// Every pointer in the list (topic, key, value, header names and values) is valid only during `body`;
    /// that suffices because the list asks librdkafka to copy key and value (`RD_KAFKA_MSG_F_COPY`) and
    /// `rd_kafka_produceva` copies headers and the topic name before it returns.
    func withProduceArguments<Result>(
        opaque: UnsafeMutableRawPointer?,
        _ body: (UnsafeBufferPointer<rd_kafka_vu_t>) -> Result
    ) -> Result {
        // Header names (NUL-terminated) and values are packed into one temporary buffer, so that any number
        // of headers costs one allocation (on the stack when small) instead of nested closures per header.
        let headerBytes = headers.reduce(0) { $0 + $1.name.utf8.count + 1 + ($1.value?.count ?? 0) }
        return withUnsafeTemporaryAllocation(byteCount: max(headerBytes, 1), alignment: 1) { headerStorage in
            withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 6 + headers.count) { arguments in
                topic.withCString { topicName in
                    Self.withOptionalBytes(key) { keyPointer, keyCount in
                        Self.withOptionalBytes(value) { valuePointer, valueCount in
                            var count = 0
                            func append(_ type: rd_kafka_vtype_t, _ fill: (inout rd_kafka_vu_t) -> Void) {
                                var argument = rd_kafka_vu_t()
                                argument.vtype = type
                                fill(&argument)
                                arguments.initializeElement(at: count, to: argument)
                                count += 1
                            }
                            append(RD_KAFKA_VTYPE_TOPIC) { $0.u.cstr = topicName }
                            // RD_KAFKA_PARTITION_UA (-1) lets the partitioner choose; the macro does not import.
                            append(RD_KAFKA_VTYPE_PARTITION) { $0.u.i32 = partition ?? -1 }
                            append(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
                            if key != nil {
                                append(RD_KAFKA_VTYPE_KEY) { $0.u.mem = .init(ptr: keyPointer, size: keyCount) }
                            }
                            // A NULL pointer makes a tombstone; an empty value has a non-NULL pointer and size 0.
                            append(RD_KAFKA_VTYPE_VALUE) { $0.u.mem = .init(ptr: valuePointer, size: valueCount) }
                            if let opaque {
                                append(RD_KAFKA_VTYPE_OPAQUE) { $0.u.ptr = opaque }
                            }
                            // Never nil: the allocation has at least one byte. Not data from the wire.
                            var cursor = headerStorage.baseAddress!
                            for header in headers {
                                let name = UnsafeRawPointer(cursor).assumingMemoryBound(to: CChar.self)
                                for byte in header.name.utf8 {
                                    cursor.storeBytes(of: byte, as: UInt8.self)
                                    cursor += 1
                                }
                                cursor.storeBytes(of: 0, as: UInt8.self)
                                cursor += 1
                                var valuePointer: UnsafeRawPointer? = nil
                                var valueSize = 0
                                if let value = header.value {
                                    // Non-NULL even when empty: a NULL value pointer means a null header value.
                                    valuePointer = UnsafeRawPointer(cursor)
                                    valueSize = value.count
                                    value.withUnsafeBytes { bytes in
                                        if let source = bytes.baseAddress { cursor.copyMemory(from: source, byteCount: bytes.count) }
                                    }
                                    cursor += value.count
                                }
                                append(RD_KAFKA_VTYPE_HEADER) {
                                    $0.u.header = .init(name: name, val: valuePointer, size: valueSize)
                                }
                            }
                            defer { arguments.baseAddress?.deinitialize(count: count) }
                            return body(UnsafeBufferPointer(start: arguments.baseAddress, count: count))
                        }
                    }
                }
            }
        }
    }

    /// Passes a pointer and size for optional bytes: NULL for `nil`, a valid non-NULL pointer for an empty
    /// array (Swift may give an empty array a nil base address, which librdkafka would read as null).
    private static func withOptionalBytes<Result>(
        _ bytes: [UInt8]?,
        _ body: (UnsafeMutableRawPointer?, Int) -> Result
    ) -> Result {
        guard let bytes else { return body(nil, 0) }
        if bytes.isEmpty {
            var placeholder: UInt8 = 0
            return withUnsafeMutableBytes(of: &placeholder) { body($0.baseAddress, 0) }
        }
        return bytes.withUnsafeBytes { body(UnsafeMutableRawPointer(mutating: $0.baseAddress), $0.count) }
    }
}
