import Foundation

/// Everything one `consumer-benchmark run` measured, printable as a table and encodable as JSON.
struct BenchmarkReport: Codable, Sendable {
    var machine: MachineDescription
    var topic: String
    var events: Int64
    var partitions: Int32
    var maxEventsInAPartition: Int64
    var commitIntervalMs: Int
    var produceSeconds: Double
    var results: [ConsumerResult]
    /// Events the service sent to its dead-letter topic during all its runs (0 expected: the data is valid).
    var deadLetters: Int64?

    var raw: ConsumerSummary? { ConsumerSummary(results.filter { $0.consumer == .raw }) }
    var service: ConsumerSummary? { ConsumerSummary(results.filter { $0.consumer == .service }) }

    var targets: [TargetCheck] {
        guard let raw, let service else { return [] }
        return TargetCheck.issueTargets(service: service, raw: raw)
    }

    /// The JSON form: the raw record plus the derived medians and target checks.
    func jsonData() throws -> Data {
        struct Document: Encodable {
            var report: BenchmarkReport
            var raw: ConsumerSummary?
            var service: ConsumerSummary?
            var targets: [TargetCheck]
            var passed: Bool?
        }
        let targets = self.targets
        let document = Document(
            report: self, raw: raw, service: service, targets: targets,
            passed: targets.isEmpty ? nil : targets.allSatisfy(\.passed))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(document)
    }

    /// The human-readable report.
    func rendered() -> String {
        var lines: [String] = []
        lines.append("Machine: \(machine.onlineProcessors) CPU(s), \(machine.cpuModel), \(machine.kernel), librdkafka \(machine.librdkafkaVersion)")
        lines.append("Data: \(events) EnrichedEvents on \(topic), \(partitions) partitions (at most \(maxEventsInAPartition) in one), produced in \(format(produceSeconds, 2)) s")
        lines.append("Window: first committed offset -> all offsets committed (auto-commit every \(commitIntervalMs) ms)")
        lines.append("CPU s and peak RSS: whole process life (wait4); 'in window': inside the window (/proc)")
        lines.append("")

        let header = [
            "run", "consumer", "events/s", "window s", "CPU s", "peak RSS MiB",
            "CPU s in window", "broker CPU s in window", "start->1st commit s", "exit",
        ]
        var rows = results.map { result in
            [
                String(result.round), result.consumer.rawValue, grouped(result.eventsPerSecond),
                format(result.windowSeconds, 3), format(result.cpuSeconds, 2), format(result.peakRSSMiB, 1),
                result.cpuSecondsInWindow.map { format($0, 2) } ?? "-",
                result.brokerCPUSecondsInWindow.map { format($0, 2) } ?? "-",
                format(result.secondsToFirstCommit, 2), result.stoppedCleanly ? result.exit : "\(result.exit) (!)",
            ]
        }
        for (name, summary) in [("raw", raw), ("service", service)] {
            guard let summary, summary.runs > 1 else { continue }
            rows.append([
                "median", name, grouped(summary.eventsPerSecond), "", format(summary.cpuSeconds, 2),
                format(summary.peakRSSMiB, 1), "", "", "", "",
            ])
        }
        lines += table(header: header, rows: rows)

        if let deadLetters {
            lines.append("")
            lines.append("Dead letters written by the service: \(deadLetters)\(deadLetters == 0 ? "" : "  (!) expected 0 for valid synthetic events")")
        }
        let targets = self.targets
        if !targets.isEmpty {
            lines.append("")
            lines.append("Service / raw\(results.count > 2 ? " (medians)" : ""):")
            for target in targets {
                let verdict = target.passed ? "PASS" : "FAIL"
                lines.append("  \(target.name.padding(toLength: 12, withPad: " ", startingAt: 0)) \(format(target.ratio, 2))  (target \(target.atLeast ? ">=" : "<=") \(format(target.limit, 2)))  \(verdict)")
            }
        }
        return lines.joined(separator: "\n")
    }

    private func table(header: [String], rows: [[String]]) -> [String] {
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            let text = cells.enumerated().map { column, cell in
                // Text left-aligned, numbers right-aligned, the last column unpadded (no trailing blanks).
                column == cells.count - 1 ? cell
                    : column < 2 ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }.joined(separator: "  ")
            return String(text.reversed().drop { $0 == " " }.reversed())
        }
        return [line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")] + rows.map(line)
    }

    private func format(_ value: Double, _ decimals: Int) -> String {
        String(format: "%.\(decimals)f", value)
    }

    private func grouped(_ value: Double) -> String {
        let digits = String(Int(value.rounded()))
        var result = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return result
    }
}
