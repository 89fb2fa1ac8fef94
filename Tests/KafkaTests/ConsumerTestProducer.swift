import CRdKafka
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@testable import Kafka

/// Publishes test records and waits until the broker acknowledged all of them.
///
/// TEMPORARY: written over librdkafka directly while the package's `KafkaProducer` was not available yet;
/// to be replaced by `KafkaProducer` (same call sites).
enum ConsumerTestProducer {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func produce(_ records: [ProducerRecord], bootstrapServers: String) throws {
        let conf = try KafkaConfiguration([
            "bootstrap.servers": bootstrapServers, "linger.ms": "5", "acks": "all",
        ]).makeNativeConfiguration()
        var errorText = [CChar](repeating: 0, count: 512)
        guard let producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)
            throw Failure(description: "producer creation failed")
        }
        defer { rd_kafka_destroy(producer) }
        for record in records {
            try produce(record, with: producer)
        }
        let flushed = rd_kafka_flush(producer, 30_000)
        guard flushed == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw Failure(description: "flush: \(KafkaError(code: flushed))")
        }
    }

    private static func produce(_ record: ProducerRecord, with producer: OpaquePointer) throws {
        var arguments: [rd_kafka_vu_t] = []
        let topic = strdup(record.topic)
        defer { free(topic) }
        let headerNames = record.headers.map { strdup($0.name) }
        defer { headerNames.forEach { free($0) } }
        let key = record.key.map { Array($0) } ?? []
        let value = record.value.map { Array($0) } ?? []
        let headerValues = record.headers.map { $0.value ?? [] }

        var vu = rd_kafka_vu_t()
        vu.vtype = RD_KAFKA_VTYPE_TOPIC
        vu.u.cstr = UnsafePointer(topic)
        arguments.append(vu)
        if let partition = record.partition {
            vu = rd_kafka_vu_t()
            vu.vtype = RD_KAFKA_VTYPE_PARTITION
            vu.u.i32 = partition
            arguments.append(vu)
        }
        vu = rd_kafka_vu_t()
        vu.vtype = RD_KAFKA_VTYPE_MSGFLAGS
        vu.u.i = RD_KAFKA_MSG_F_COPY
        arguments.append(vu)

        let err: rd_kafka_resp_err_t? = key.withUnsafeBytes { keyBytes in
            value.withUnsafeBytes { valueBytes in
                var all = arguments
                if record.key != nil {
                    var keyArgument = rd_kafka_vu_t()
                    keyArgument.vtype = RD_KAFKA_VTYPE_KEY
                    keyArgument.u.mem.ptr = UnsafeMutableRawPointer(mutating: keyBytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!)
                    keyArgument.u.mem.size = keyBytes.count
                    all.append(keyArgument)
                }
                var valueArgument = rd_kafka_vu_t()
                valueArgument.vtype = RD_KAFKA_VTYPE_VALUE
                if record.value != nil {
                    valueArgument.u.mem.ptr = UnsafeMutableRawPointer(mutating: valueBytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!)
                    valueArgument.u.mem.size = valueBytes.count
                } else {
                    valueArgument.u.mem.ptr = nil
                    valueArgument.u.mem.size = 0
                }
                all.append(valueArgument)
                return withHeaders(record, names: headerNames, values: headerValues, appendingTo: all) { complete in
                    complete.withUnsafeBufferPointer { buffer in
                        let error = rd_kafka_produceva(producer, buffer.baseAddress, buffer.count)
                        defer { if let error { rd_kafka_error_destroy(error) } }
                        return error.map { rd_kafka_error_code($0) }
                    }
                }
            }
        }
        if let err {
            throw Failure(description: "produce: \(KafkaError(code: err))")
        }
    }

    private static func withHeaders<Result>(
        _ record: ProducerRecord, names: [UnsafeMutablePointer<CChar>?], values: [[UInt8]],
        appendingTo arguments: [rd_kafka_vu_t], _ body: ([rd_kafka_vu_t]) -> Result
    ) -> Result {
        // Header values are copied by librdkafka during the produce call; keep them alive until then.
        let buffers = values.map { bytes -> UnsafeMutableRawBufferPointer in
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, bytes.count), alignment: 1)
            buffer.copyBytes(from: bytes)
            return buffer
        }
        defer { buffers.forEach { $0.deallocate() } }
        var all = arguments
        for (index, header) in record.headers.enumerated() {
            var argument = rd_kafka_vu_t()
            argument.vtype = RD_KAFKA_VTYPE_HEADER
            argument.u.header.name = UnsafePointer(names[index])
            argument.u.header.val = header.value == nil ? nil : UnsafeRawPointer(buffers[index].baseAddress)
            argument.u.header.size = header.value == nil ? 0 : values[index].count
            all.append(argument)
        }
        return body(all)
    }
}
