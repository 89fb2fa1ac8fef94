import Configuration

/// Reads the service's settings as text through swift-configuration's layered providers (command line,
/// then environment, then `.env`), parses them, and collects every problem instead of stopping at the
/// first one.
///
/// Settings are addressed by their environment variable name (`LOG_FORMAT`); the config key is the same
/// name lower-cased and split at underscores (`log.format`), which swift-configuration's environment
/// provider encodes back to exactly `LOG_FORMAT`. Only `ConfigReader.string(forKey:)` is used: see
/// `SettingValueParsing` for why typed look-ups are parsed here.
struct LayeredSettings {
    private let reader: ConfigReader
    /// For settings given on the command line, the flag that gave them: problems name the flag.
    private let flagNames: [String: String]
    private(set) var issues: [ConfigurationIssue] = []

    init(reader: ConfigReader, flagNames: [String: String]) {
        self.reader = reader
        self.flagNames = flagNames
    }

    /// The config key of an environment variable name: `LOG_FORMAT` → `log.format`.
    static func key(forVariable variable: String) -> ConfigKey {
        ConfigKey(variable.lowercased().split(separator: "_").map(String.init))
    }

    /// The setting's text, trimmed, or `nil` when it is unset (the loader drops empty values, which count
    /// as unset, before stacking the layers).
    func text(_ variable: String) -> String? {
        guard let value = reader.string(forKey: Self.key(forVariable: variable)) else { return nil }
        let trimmed = Substring(value).trimmingWhitespace()
        return trimmed.isEmpty ? nil : String(trimmed)
    }

    /// How problems refer to a setting: the flag if it came from the command line, else the variable.
    func displayName(_ variable: String) -> String {
        flagNames[variable] ?? variable
    }

    mutating func report(_ variable: String, _ problem: String) {
        issues.append(ConfigurationIssue(setting: displayName(variable), problem: problem))
    }

    mutating func report(_ issue: ConfigurationIssue) {
        issues.append(issue)
    }

    /// A setting from a closed set of names.
    mutating func choice<Value>(
        _ variable: String,
        default defaultValue: Value,
        accepted: String,
        parse: (String) -> Value?
    ) -> Value {
        guard let text = text(variable) else { return defaultValue }
        guard let value = parse(text) else {
            report(variable, "\"\(text)\" is not one of \(accepted)")
            return defaultValue
        }
        return value
    }

    func string(_ variable: String, default defaultValue: String) -> String {
        text(variable) ?? defaultValue
    }

    mutating func bool(_ variable: String, default defaultValue: Bool) -> Bool {
        guard let text = text(variable) else { return defaultValue }
        guard let value = SettingValueParsing.bool(text) else {
            report(variable, "\"\(text)\" is not a boolean (\(SettingValueParsing.boolAcceptedValues))")
            return defaultValue
        }
        return value
    }

    mutating func integer(_ variable: String, default defaultValue: Int, minimum: Int) -> Int {
        guard let text = text(variable) else { return defaultValue }
        guard let value = SettingValueParsing.integer(text) else {
            report(variable, "\"\(text)\" is not a whole number (expected an integer ≥ \(minimum))")
            return defaultValue
        }
        guard value >= minimum else {
            report(variable, "\(value) is too small (expected an integer ≥ \(minimum))")
            return defaultValue
        }
        return value
    }

    mutating func number(_ variable: String, default defaultValue: Double, range: ClosedRange<Double>) -> Double {
        let expected =
            range.upperBound == .infinity
            ? "a number ≥ \(range.lowerBound.formatted)" : "a number from \(range.lowerBound.formatted) to \(range.upperBound.formatted)"
        guard let text = text(variable) else { return defaultValue }
        guard let value = SettingValueParsing.number(text) else {
            report(variable, "\"\(text)\" is not a number (expected \(expected))")
            return defaultValue
        }
        guard range.contains(value) else {
            report(variable, "\(text) is out of range (expected \(expected))")
            return defaultValue
        }
        return value
    }

    /// A duration, zero allowed or not; negative durations are always rejected.
    mutating func duration(_ variable: String, default defaultValue: Duration, allowZero: Bool) -> Duration {
        guard let text = text(variable) else { return defaultValue }
        guard let seconds = SettingValueParsing.durationSeconds(text) else {
            report(variable, "\"\(text)\" is not a duration (\(SettingValueParsing.durationAcceptedForms))")
            return defaultValue
        }
        if seconds < 0 {
            report(variable, "\"\(text)\" is negative (expected a duration ≥ 0, e.g. 10 or 500ms)")
            return defaultValue
        }
        if seconds == 0 && !allowZero {
            report(variable, "\"\(text)\" must be greater than zero (e.g. 10 or 500ms)")
            return defaultValue
        }
        if seconds > Duration.largestFromSeconds {
            report(variable, "\"\(text)\" is too large (at most \(Int(Duration.largestFromSeconds)) seconds)")
            return defaultValue
        }
        return Duration(roundedSeconds: seconds)
    }

    /// A size in bytes from 0 to `maximum` (see `SettingValueParsing.byteCount`).
    mutating func byteCount(_ variable: String, default defaultValue: Int, maximum: Int) -> Int {
        guard let text = text(variable) else { return defaultValue }
        let expected = "from 0 to \(maximum >> 20)MiB"
        guard let bytes = SettingValueParsing.byteCount(text) else {
            report(variable, "\"\(text)\" is not a size (\(SettingValueParsing.byteCountAcceptedForms))")
            return defaultValue
        }
        guard (0...maximum).contains(bytes) else {
            report(variable, "\"\(text)\" is out of range (expected a size \(expected))")
            return defaultValue
        }
        return bytes
    }
}

extension Double {
    /// `2` rather than `2.0` in messages.
    fileprivate var formatted: String {
        self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self)
    }
}
