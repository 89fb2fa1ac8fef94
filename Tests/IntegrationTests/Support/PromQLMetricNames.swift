import Foundation

/// The metric names a PromQL expression reads: identifiers left after removing label matchers (`{…}`),
/// grouping clauses (`by (…)`), ranges (`[…]`), strings, numbers, functions and keywords. Good enough for
/// the expressions in deploy/ (a check that they name exported metrics, not a PromQL parser).
enum PromQLMetricNames {
    static let keywords: Set<String> = [
        "sum", "min", "max", "avg", "count", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values", "group",
        "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "offset", "bool",
        "rate", "irate", "increase", "delta", "idelta", "deriv", "histogram_quantile", "abs", "absent", "clamp_min",
        "clamp_max", "avg_over_time", "max_over_time", "min_over_time", "sum_over_time", "changes", "resets", "vector",
        "scalar", "time", "label_replace", "predict_linear", "round", "sort", "sort_desc",
    ]

    static func names(in expression: String) -> Set<String> {
        var text = expression
        for pattern in [#""[^"]*""#, #"\{[^}]*\}"#, #"\[[^\]]*\]"#, #"\b(by|without|on|ignoring)\s*\([^)]*\)"#] {
            text = text.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
        }
        let identifier = try! NSRegularExpression(pattern: #"[A-Za-z_:][A-Za-z0-9_:]*"#)
        let range = NSRange(text.startIndex..., in: text)
        return Set(identifier.matches(in: text, range: range).compactMap { match in
            Range(match.range, in: text).map { String(text[$0]) }
        }.filter { !keywords.contains($0) })
    }

    /// The `expr:` values of a Prometheus rules file (single-line and `|` blocks).
    static func ruleExpressions(in rules: String) -> [String] {
        var expressions: [String] = []
        let lines = rules.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var index = 0
        while index < lines.count {
            let line = lines[index]
            if let range = line.range(of: "expr:") {
                let rest = line[range.upperBound...].trimmingCharacters(in: .whitespaces)
                if rest == "|" || rest == ">" {
                    let indent = line.prefix { $0 == " " }.count
                    var block: [String] = []
                    index += 1
                    while index < lines.count, lines[index].trimmingCharacters(in: .whitespaces).isEmpty || lines[index].prefix(while: { $0 == " " }).count > indent {
                        block.append(lines[index])
                        index += 1
                    }
                    expressions.append(block.joined(separator: "\n"))
                    continue
                }
                expressions.append(rest)
            }
            index += 1
        }
        return expressions
    }
}
