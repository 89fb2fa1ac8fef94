import CRdKafka

/// librdkafka configuration properties (`bootstrap.servers`, `group.id`, `security.protocol`, ...).
///
/// Values are kept as strings, as librdkafka takes them. `validate()` checks every property against
/// librdkafka itself, so an unknown name or invalid value is reported before anything connects.
public struct KafkaConfiguration: Sendable, Equatable {
    public private(set) var properties: [String: String]

    public init(_ properties: [String: String] = [:]) {
        self.properties = properties
    }

    public subscript(name: String) -> String? {
        get { properties[name] }
        set { properties[name] = newValue }
    }

    /// Property names whose values must never be logged.
    public static func isSecret(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return lowered.contains("password") || lowered.contains("secret")
            || lowered.contains("key.pem") || lowered.hasSuffix(".key") || lowered.contains("token")
            || lowered.contains("sasl.oauthbearer.config") || lowered.contains("jaas")
    }

    /// The properties with secret values masked, for logging.
    public var redacted: [String: String] {
        var copy = properties
        for name in copy.keys where Self.isSecret(name) { copy[name] = "*****" }
        return copy
    }

    /// Checks every property with librdkafka's own `rd_kafka_conf_set`.
    /// - Throws: `KafkaError` of kind `.configuration` naming the first rejected property.
    public func validate() throws(KafkaError) {
        let conf = try makeNativeConfiguration()
        rd_kafka_conf_destroy(conf)
    }

    /// Builds a native `rd_kafka_conf_t`. Ownership passes to the caller, who must either hand it to
    /// `rd_kafka_new` (which takes ownership on success) or `rd_kafka_conf_destroy` it.
    package func makeNativeConfiguration() throws(KafkaError) -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(kind: .other, message: "rd_kafka_conf_new failed")
        }
        var errorBuffer = [CChar](repeating: 0, count: 512)
        for (name, value) in properties.sorted(by: { $0.key < $1.key }) {
            let result = rd_kafka_conf_set(conf, name, value, &errorBuffer, errorBuffer.count)
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                let reason = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                throw KafkaError(kind: .configuration, message: "\(name): \(reason)")
            }
        }
        return conf
    }
}
