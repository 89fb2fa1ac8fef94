/// The `KAFKA_CFG_<NAME>` environment variables that pass any librdkafka property through.
///
/// librdkafka property names are lowercase letters, digits and dots (`auto.commit.interval.ms`), so
/// `NAME` is the property upper-cased with dots written as underscores, and the mapping back is
/// lower-casing and `_` → `.`. That mapping is lossy for the few librdkafka 2.0.2 properties whose names
/// contain an underscore. Checked against `rd_kafka_conf_properties_show()` of 2.0.2: of those, only
/// `log_level` and `enabled_events` can be set from a string at all (the rest — `error_cb`, `ssl_key`,
/// `default_topic_conf`, `ssl.certificate.verify_cb`, ... — are callbacks or pointers set through
/// dedicated C functions), so those two are mapped explicitly. Any property can also be given with its
/// exact name through `--kafka-property name=value`.
public enum KafkaPropertyVariable {
    /// The prefix of the pass-through variables.
    public static let prefix = "KAFKA_CFG_"

    /// String-settable librdkafka properties whose names contain underscores, by their variable suffix.
    static let underscoredProperties: [String: String] = [
        "LOG_LEVEL": "log_level",
        "ENABLED_EVENTS": "enabled_events",
    ]

    /// The librdkafka property a `KAFKA_CFG_...` variable sets, or `nil` if `variable` is not one.
    ///
    /// `KAFKA_CFG_AUTO_COMMIT_INTERVAL_MS` → `auto.commit.interval.ms`.
    public static func propertyName(forVariable variable: String) -> String? {
        guard variable.hasPrefix(prefix) else { return nil }
        let suffix = variable.dropFirst(prefix.count).uppercased()
        guard !suffix.isEmpty else { return nil }
        if let exact = underscoredProperties[suffix] { return exact }
        return suffix.lowercased().replacing("_", with: ".")
    }

    /// The variable that sets a librdkafka property: `sasl.password` → `KAFKA_CFG_SASL_PASSWORD`.
    public static func variableName(forProperty property: String) -> String {
        prefix + property.uppercased().replacing(".", with: "_")
    }
}
