/// Parsers from a setting's text to its value. Each returns `nil` when the text is not of the expected
/// form; the caller turns that into a `ConfigurationIssue` naming the setting and the accepted forms.
///
/// These are written by hand rather than using swift-configuration's typed accessors, because
/// `ConfigReader.int(forKey:default:)` and friends silently fall back to the default when a value does
/// not convert (a typo would go unnoticed), and `requiredInt(forKey:)` throws an error whose message
/// names neither the accepted values nor our variable's spelling.
enum SettingValueParsing {
    /// Booleans as the original service and swift-configuration read them: `true/false`, `1/0`,
    /// `yes/no`, case-insensitively.
    static func bool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "1", "yes": true
        case "false", "0", "no": false
        default: nil
        }
    }

    static let boolAcceptedValues = "true, false, 1, 0, yes, no"

    /// A decimal integer such as `5` (no sign other than `-`, no fraction).
    static func integer(_ text: String) -> Int? {
        Int(text)
    }

    /// A finite decimal number such as `2` or `0.25`.
    static func number(_ text: String) -> Double? {
        guard let value = Double(text), value.isFinite else { return nil }
        return value
    }

    /// A duration in seconds: plain seconds (`10`, `0.5`) or with a unit suffix (`500ms`, `10s`, `1m`).
    /// The sign is kept so the caller can report a negative duration as such rather than as malformed.
    static func durationSeconds(_ text: String) -> Double? {
        let (number, scale): (Substring, Double) =
            if text.hasSuffix("ms") {
                (text.dropLast(2), 0.001)
            } else if text.hasSuffix("s") {
                (text.dropLast(1), 1)
            } else if text.hasSuffix("m") {
                (text.dropLast(1), 60)
            } else {
                (Substring(text), 1)
            }
        guard let value = Double(number), value.isFinite else { return nil }
        return value * scale
    }

    static let durationAcceptedForms = "seconds such as 10 or 0.5, or a number with ms, s or m, such as 500ms"

    /// A size in bytes: a whole number (`65536`), or one with `KiB` or `MiB` (`512KiB`, `1MiB`; 1024-based,
    /// case-insensitive). Negative numbers are kept for the caller to report as such.
    static func byteCount(_ text: String) -> Int? {
        let lowered = text.lowercased()
        let (number, scale): (Substring, Int) =
            if lowered.hasSuffix("mib") {
                (lowered.dropLast(3), 1 << 20)
            } else if lowered.hasSuffix("kib") {
                (lowered.dropLast(3), 1 << 10)
            } else {
                (Substring(lowered), 1)
            }
        guard let value = Int(number.trimmingWhitespace()) else { return nil }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: scale)
        return overflow ? nil : bytes
    }

    static let byteCountAcceptedForms = "bytes such as 65536, or a whole number with KiB or MiB, such as 512KiB or 4MiB"
}
