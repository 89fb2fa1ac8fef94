import Foundation
import Observability
import TestSupport
import Testing

/// The status page in a real headless browser (Debian's chromium): after the page's script has fetched
/// `/status`, the DOM lists every partition with its lag.
@Suite("Status page in headless chromium")
struct StatusPageBrowserTests {
    @Test("the rendered page lists every assigned partition with its lag, and marks the paused one",
          .enabled(if: HeadlessBrowser.isInstalled, "chromium is not installed (scripts/install-deps.sh installs it)"))
    func pageListsPartitionsWithLag() async throws {
        var partitions: [PartitionStatus] = []
        for index in 0..<4 {
            let high: Int64 = 20 + Int64(index) * 7
            let halted = index == 2
            partitions.append(PartitionStatus(
                topic: "events", partition: Int32(index), committedOffset: 10, nextOffset: 20,
                highWatermark: high, paused: halted, pauseReasons: halted ? ["halted"] : []))
        }
        let source = FakeStatusSource(partitions: partitions)
        let dom = try await withHTTPServer(source: source) { port in
            try await HeadlessBrowser.dumpDOM(of: "http://127.0.0.1:\(port)/")
        }
        for partition in partitions {
            let row = try #require(Self.row(for: "events[\(partition.partition)]", in: dom), "no row for partition \(partition.partition) in:\n\(dom)")
            #expect(row.contains("data-lag=\"\(partition.lag!)\""), "row: \(row)")
            #expect(row.contains("<td>\(partition.lag!)</td>"), "row: \(row)")
        }
        let pausedRow = Self.row(for: "events[2]", in: dom) ?? ""
        #expect(pausedRow.contains("paused: halted"), "row: \(pausedRow)")
        #expect(dom.contains("member-1"))
        #expect(!dom.contains("loading…</td>"), "the script did not replace the placeholder row")
    }

    /// The `<tr>` whose `data-partition` is `name`.
    static func row(for name: String, in dom: String) -> String? {
        guard let start = dom.range(of: "data-partition=\"\(name)\"") else { return nil }
        let rest = dom[start.lowerBound...]
        guard let end = rest.range(of: "</tr>") else { return nil }
        return String(rest[..<end.upperBound])
    }
}
