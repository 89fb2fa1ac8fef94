import Foundation

/// A parsed Prometheus text exposition (what `/metrics` answered): samples by name and labels.
struct MetricsScrape: Sendable, CustomStringConvertible {
    struct Sample: Sendable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    let text: String
    let samples: [Sample]

    init(_ text: String) {
        self.text = text
        samples = text.split(separator: "\n").compactMap(Self.parse)
    }

    var description: String { text }

    /// Every metric family the exposition declares (`# TYPE name …`).
    var families: Set<String> {
        Set(text.split(separator: "\n").compactMap { line in
            let words = line.split(separator: " ")
            return words.count >= 3 && words[0] == "#" && words[1] == "TYPE" ? String(words[2]) : nil
        })
    }

    /// The value of the one sample of `name` whose labels include `labels`, nil when there is none.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { sample in sample.name == name && labels.allSatisfy { key, value in sample.labels[key] == value } }?.value
    }

    /// The samples of `name`.
    func samples(_ name: String) -> [Sample] { samples.filter { $0.name == name } }

    /// `name{a="b",c="d"} 12` (label values without escapes: the service's are plain).
    private static func parse(_ line: Substring) -> Sample? {
        guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
            return nil
        }
        let series = line[..<space]
        guard let brace = series.firstIndex(of: "{") else { return Sample(name: String(series), labels: [:], value: value) }
        var labels: [String: String] = [:]
        for pair in series[series.index(after: brace)..<series.index(before: series.endIndex)].split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            labels[String(parts[0])] = String(parts[1].dropFirst().dropLast())
        }
        return Sample(name: String(series[..<brace]), labels: labels, value: value)
    }
}
