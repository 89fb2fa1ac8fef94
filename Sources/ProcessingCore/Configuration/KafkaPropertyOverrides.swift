import Kafka

/// Collects the librdkafka properties users pass through: `KAFKA_CFG_<NAME>` variables (from the `.env`
/// file, then the environment; empty ones count as unset like every variable) and `--kafka-property
/// name=value` flags (where `name=` does set an empty value), later layers winning.
///
/// Each property is checked with librdkafka on its own (`KafkaConfiguration.validate()`), so a problem
/// names the exact variable or flag that carries it rather than just the property. A property that a
/// first-class variable or the service owns (`FirstClassKafkaProperty`) is refused, naming both.
enum KafkaPropertyOverrides {
    static func collect(
        commandLine: [String],
        environment: [String: String],
        environmentFile: [String: String],
        settings: inout LayeredSettings
    ) -> [String: String] {
        // name → (value, where it came from), applied lowest precedence first.
        var properties: [String: (value: String, origin: String)] = [:]
        for layer in [environmentFile, environment] {
            // Sorted so that two variables mapping to the same property resolve the same way every run.
            for (variable, value) in layer.sorted(by: { $0.key < $1.key }) {
                guard let name = KafkaPropertyVariable.propertyName(forVariable: variable) else { continue }
                properties[name] = (value, variable)
            }
        }
        for argument in commandLine {
            guard let equals = argument.firstIndex(of: "="),
                case let name = Substring(argument[..<equals]).trimmingWhitespace(), !name.isEmpty
            else {
                settings.report(
                    ConfigurationIssue(
                        setting: "--kafka-property",
                        problem: "\"\(argument)\" is not name=value (e.g. --kafka-property fetch.wait.max.ms=50)"
                    )
                )
                continue
            }
            properties[String(name)] = (String(argument[argument.index(after: equals)...]), "--kafka-property")
        }

        var result: [String: String] = [:]
        for (name, entry) in properties.sorted(by: { $0.key < $1.key }) {
            if let problem = FirstClassKafkaProperty.problem(settingProperty: name, from: entry.origin)
                ?? FirstClassKafkaProperty.problem(withValue: entry.value, ofProperty: name)
            {
                settings.report(ConfigurationIssue(setting: entry.origin, problem: problem))
                continue
            }
            do {
                try KafkaConfiguration([name: entry.value]).validate()
                result[name] = entry.value
            } catch {
                settings.report(
                    ConfigurationIssue(
                        setting: entry.origin,
                        problem: "librdkafka rejects \(name)=\(shown(entry.value, of: name)): \(reason(error, for: name))"
                    )
                )
            }
        }
        return result
    }

    /// The value as it may appear in an error message: secrets are never printed.
    private static func shown(_ value: String, of name: String) -> String {
        KafkaConfiguration.isSecret(name) ? "*****" : "\"\(value)\""
    }

    /// librdkafka's reason without the `name: ` prefix `KafkaConfiguration.validate()` adds.
    private static func reason(_ error: KafkaError, for name: String) -> String {
        let prefix = "\(name): "
        return error.message.hasPrefix(prefix) ? String(error.message.dropFirst(prefix.count)) : error.message
    }
}
