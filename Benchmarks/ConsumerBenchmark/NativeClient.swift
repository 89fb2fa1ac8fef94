import CRdKafka

/// A failure reported by librdkafka while setting up or running a benchmark client.
struct LibrdkafkaError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }

    init(_ context: String, _ code: rd_kafka_resp_err_t) {
        description = "\(context): \(String(cString: rd_kafka_err2str(code)))"
    }
}

/// Creates librdkafka handles straight from the C API.
///
/// The benchmark deliberately does not use the project's `Kafka` wrapper: the baseline must be the bare
/// library, and the monitor must not share code (or bugs) with the thing it measures.
enum NativeClient {
    /// The version of the librdkafka the process is linked against, e.g. `2.0.2`.
    static var librdkafkaVersion: String { String(cString: rd_kafka_version_str()) }

    /// A consumer handle with `properties` applied. The caller owns it: `rd_kafka_destroy` when done.
    static func consumer(_ properties: KeyValuePairs<String, String>) throws -> OpaquePointer {
        let configuration = rd_kafka_conf_new()
        var errorText = [CChar](repeating: 0, count: 512)
        for (name, value) in properties {
            if rd_kafka_conf_set(configuration, name, value, &errorText, errorText.count) != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(configuration)
                throw LibrdkafkaError("\(name)=\(value): \(Self.text(errorText))")
            }
        }
        // On success rd_kafka_new takes ownership of the configuration; on failure it stays ours.
        guard let handle = rd_kafka_new(RD_KAFKA_CONSUMER, configuration, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(configuration)
            throw LibrdkafkaError("rd_kafka_new: \(Self.text(errorText))")
        }
        return handle
    }

    /// The NUL-terminated text librdkafka wrote into an error buffer.
    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
