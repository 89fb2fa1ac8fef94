import Foundation
import ProcessingCore

/// Renders a `LatencyHistogram` in the Prometheus text format (0.0.4), as swift-prometheus renders its own
/// histograms: `_bucket{...,le="…"}` cumulative counts, `+Inf`, `_sum` and `_count`, in seconds.
enum HistogramExposition {
    static func render(name: String, help: String, labels: [(String, String)], histogram: LatencyHistogram) -> String {
        let counts = histogram.snapshot()
        let cumulative = counts.cumulative
        let labelText = labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",")
        let prefix = labelText.isEmpty ? "" : labelText + ","
        var text = "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        for (index, bound) in histogram.upperBounds.enumerated() {
            text += "\(name)_bucket{\(prefix)le=\"\(seconds(bound))\"} \(cumulative[index])\n"
        }
        text += "\(name)_bucket{\(prefix)le=\"+Inf\"} \(counts.count)\n"
        let braces = labelText.isEmpty ? "" : "{\(labelText)}"
        text += "\(name)_sum\(braces) \(seconds(counts.sumNanoseconds))\n"
        text += "\(name)_count\(braces) \(counts.count)\n"
        return text
    }

    /// Nanoseconds as decimal seconds without exponent or trailing zeros: `0.0005`, `1.5`, `10`.
    static func seconds(_ nanoseconds: Int64) -> String {
        let sign = nanoseconds < 0 ? "-" : ""
        let magnitude = nanoseconds.magnitude
        let whole = magnitude / 1_000_000_000
        var fraction = String(magnitude % 1_000_000_000)
        guard fraction != "0" else { return "\(sign)\(whole)" }
        fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(sign)\(whole).\(fraction)"
    }

    private static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
