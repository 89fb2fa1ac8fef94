/// librdkafka properties that a `KAFKA_CFG_*` variable or `--kafka-property` may not set, because a
/// first-class variable or the service itself owns them.
///
/// The rule: setting one is a start-up error naming both the pass-through and the owner (exit 64).
/// Before it, `KAFKA_CFG_GROUP_ID` silently won over `KAFKA_GROUP_ID` while the start-up line reported
/// the other, `KAFKA_CFG_BOOTSTRAP_SERVERS` silently replaced `KAFKA_BROKERS`, and
/// `KAFKA_CFG_ENABLE_AUTO_COMMIT=false` turned librdkafka's commits off without starting the service's
/// own commit timer (which follows `ENABLE_AUTO_COMMIT`), so nothing was committed until shutdown (issue
/// 11, item 6). Refusing is simpler to explain than applying a pass-through "consistently everywhere",
/// and leaves one place — the first-class variable — that every part of the service reads.
enum FirstClassKafkaProperty {
    /// Who owns a property.
    enum Owner: Equatable {
        /// A first-class variable, and its command-line flag if it has one.
        case variable(String, flag: String?)
        /// The service: it needs this value for its delivery guarantees.
        case service(value: String, reason: String)
    }

    /// Owned properties, librdkafka's aliases included (checked against librdkafka 2.0.2's
    /// CONFIGURATION.md: `metadata.broker.list` is `bootstrap.servers`, `auto.commit.enable` is the legacy
    /// spelling of `enable.auto.commit`).
    static let owners: [String: Owner] = [
        "bootstrap.servers": .variable("KAFKA_BROKERS", flag: "--brokers"),
        "metadata.broker.list": .variable("KAFKA_BROKERS", flag: "--brokers"),
        "group.id": .variable("KAFKA_GROUP_ID", flag: "--group-id"),
        "enable.auto.commit": .variable("ENABLE_AUTO_COMMIT", flag: nil),
        "auto.commit.enable": .variable("ENABLE_AUTO_COMMIT", flag: nil),
        "auto.offset.reset": .variable("AUTO_OFFSET_RESET", flag: nil),
        "enable.auto.offset.store": .service(
            value: "false", reason: "an offset is stored only once its event is finished (at-least-once delivery)"
        ),
        "offset.store.method": .service(value: "broker", reason: "offsets are committed to the consumer group"),
    ]

    /// The problem with setting `property` from `origin` (`KAFKA_CFG_GROUP_ID`, `--kafka-property`), or
    /// `nil` when the property is free to set. The value is never shown (it may be a credential).
    static func problem(settingProperty property: String, from origin: String) -> String? {
        switch owners[property.lowercased()] {
        case nil:
            return nil
        case .variable(let variable, let flag)?:
            let owner = flag.map { "\(variable) (or \($0))" } ?? variable
            return "\(property) is owned by \(owner): set \(variable) instead of \(origin) (setting both would be ambiguous)"
        case .service(let value, let reason)?:
            return "\(property) is set by the service to \(value) (\(reason)) and cannot be changed; remove \(origin)"
        }
    }

    /// Values of free properties that would silently break a guarantee: `auto.commit.interval.ms=0`
    /// turns off librdkafka's periodic commits and would make the service's own commit timer spin.
    static func problem(withValue value: String, ofProperty property: String) -> String? {
        guard property == "auto.commit.interval.ms", let milliseconds = Int(value), milliseconds <= 0 else { return nil }
        return "auto.commit.interval.ms=\(value) turns periodic commits off (offsets only at shutdown); use a positive interval"
    }
}
