import CRdKafka

extension ProducerRecord {
    /// Calls `body` with the `rd_kafka_vu_t` argument list describing this record for `rd_kafka_produceva`,
    /// and returns what `rd_kafka_produceva` returned (an `rd_kafka_error_t`, or nil when the message was queued).
    ///
    /// Every pointer in the list (topic, key, value) is valid only during `body`; that suffices because the
    /// list asks librdkafka to copy key and value (`RD_KAFKA_MSG_F_COPY`) and the topic name is copied too.
    ///
    /// Headers are passed as one application-owned `rd_kafka_headers_t` (`RD_KAFKA_VTYPE_HEADERS`), never as
    /// `RD_KAFKA_VTYPE_HEADER` entries: in librdkafka 2.0.2, `rd_kafka_produceva` frees headers it built
    /// from `VTYPE_HEADER` entries twice when the partitioner rejects the message (e.g. the topic is in an
    /// error state), crashing the process (confluentinc/librdkafka#4627). With application-owned headers the
    /// rule is simple and holds on every path: on success librdkafka owns (and frees) them, on failure they
    /// are still ours, and we destroy them here.
    func withProduceArguments(
        opaque: UnsafeMutableRawPointer?,
        _ body: (UnsafeBufferPointer<rd_kafka_vu_t>) -> OpaquePointer?
    ) -> OpaquePointer? {
        let nativeHeaders = makeNativeHeaders()
        let error = withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 7) { arguments in
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
                        if let nativeHeaders {
                            append(RD_KAFKA_VTYPE_HEADERS) { $0.u.headers = nativeHeaders }
                        }
                        defer { arguments.baseAddress?.deinitialize(count: count) }
                        return body(UnsafeBufferPointer(start: arguments.baseAddress, count: count))
                    }
                }
            }
        }
        if error != nil, let nativeHeaders {
            rd_kafka_headers_destroy(nativeHeaders)
        }
        return error
    }

    /// A native header list with copies of this record's headers, or nil when it has none.
    /// `rd_kafka_header_add` copies names and values, so nothing here outlives this call.
    private func makeNativeHeaders() -> OpaquePointer? {
        guard !headers.isEmpty, let list = rd_kafka_headers_new(headers.count) else { return nil }
        for header in headers {
            _ = header.name.withCString { name in
                if let value = header.value {
                    // Non-NULL even when empty: a NULL value pointer means a null header value.
                    Self.withOptionalBytes(value) { pointer, size in rd_kafka_header_add(list, name, -1, pointer, size) }
                } else {
                    rd_kafka_header_add(list, name, -1, nil, 0)
                }
            }
        }
        return list
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
