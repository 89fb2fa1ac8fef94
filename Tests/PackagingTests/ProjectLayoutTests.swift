import Foundation
import Testing

/// README's "Project layout" section is how a newcomer finds their way: every folder of the code must be in
/// it, and everything in it must exist, or it misleads.
@Suite("README's project layout matches the tree")
struct ProjectLayoutTests {
    /// The folders whose every subfolder the layout lists (the targets and their folders).
    static let listedRoots = ["Sources", "Tests", "Benchmarks"]

    /// The paths the layout's code block names, relative to the repository (`Sources/Kafka/Consumer/`),
    /// with their line in the block.
    ///
    /// The block is a tree: an entry's name is its line's first word, indented two spaces per level below
    /// the folder (a name ending in `/`) above it; a line indented deeper than that continues the previous
    /// entry's description.
    static func layoutEntries(_ block: some Sequence<Substring>) -> [(path: String, line: Int)] {
        var entries: [(path: String, line: Int)] = []
        var parents: [(indent: Int, path: String)] = []
        var lastIndent = -2
        for (number, line) in block.enumerated() {
            let indent = line.prefix { $0 == " " }.count
            guard let name = line.split(separator: " ").first, indent <= lastIndent + 2 else { continue }
            while let parent = parents.last, parent.indent >= indent { parents.removeLast() }
            let parent = parents.last.map(\.path).flatMap { $0.hasSuffix("/") ? $0 : nil } ?? ""
            let path = parent + name
            entries.append((path, number + 1))
            parents.append((indent, path))
            lastIndent = indent
        }
        return entries
    }

    /// The entries of README's layout block.
    static func readmeLayout() throws -> [(path: String, line: Int)] {
        let section = try #require(
            DocumentationConsistencyTests.markdownSection(named: "Project layout", in: try Repository.text("README.md")),
            "README.md has no '## Project layout' section")
        let lines = section.split(separator: "\n", omittingEmptySubsequences: false)
        let open = try #require(lines.firstIndex { $0.hasPrefix("```") }, "no code block under '## Project layout'")
        let close = try #require(lines[(open + 1)...].firstIndex { $0.hasPrefix("```") }, "the layout's code block is not closed")
        return layoutEntries(lines[(open + 1)..<close])
    }

    /// Every folder below `root` (hidden ones skipped), as `root/A/B/`.
    static func folders(below root: String) throws -> [String] {
        let base = Repository.url(root).path
        return try FileManager.default.subpathsOfDirectory(atPath: base).filter { relative in
            var isDirectory: ObjCBool = false
            return !relative.split(separator: "/").contains { $0.hasPrefix(".") }
                && FileManager.default.fileExists(atPath: base + "/" + relative, isDirectory: &isDirectory) && isDirectory.boolValue
        }.map { "\(root)/\($0)/" }
    }

    @Test("the parser reads nesting and skips continuation lines")
    func parserReadsTheTree() {
        let block: [Substring] = [
            "Sources/", "  Kafka/             wrapper", "    Consumer/        the consumer,",
            "                     continued here", "  EventModel/        model", "Package.swift",
        ]
        #expect(Self.layoutEntries(block).map(\.path) == ["Sources/", "Sources/Kafka/", "Sources/Kafka/Consumer/", "Sources/EventModel/", "Package.swift"])
    }

    @Test("everything the layout names exists")
    func listedPathsExist() throws {
        let entries = try Self.readmeLayout()
        #expect(entries.count > 20, "the layout block lists almost nothing: \(entries.map(\.path))")
        for entry in entries {
            #expect(Repository.exists(entry.path), "README's layout line \(entry.line) names \(entry.path), which does not exist")
        }
    }

    @Test("every folder of Sources, Tests and Benchmarks is in the layout", arguments: listedRoots)
    func everyFolderListed(_ root: String) throws {
        let listed = Set(try Self.readmeLayout().map(\.path))
        let folders = try Self.folders(below: root)
        #expect(!folders.isEmpty, "\(root) has no folders")
        let missing = folders.filter { !listed.contains($0) }.sorted()
        #expect(missing.isEmpty, "not in README's project layout: \(missing)")
    }
}
