import Foundation
import Testing
import TestSupport

/// README.md, env.example, `.ci/run` and the scripts describe the same product; these tests keep them from
/// drifting apart.
@Suite("README, env.example and CI agree")
struct DocumentationConsistencyTests {
    /// Whether `name` is an environment variable name: `KAFKA_BROKERS`, not `KAFKA_CFG_<NAME>`.
    static func isVariableName(_ name: some StringProtocol) -> Bool {
        guard let first = name.first, first.isASCII, first.isUppercase else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }
    }

    /// README's "Configuration" table: each variable (first column, in backticks) and its default cell.
    static func readmeConfigurationTable() throws -> [String: String] {
        let readme = try Repository.text("README.md")
        let section = try #require(
            markdownSection(named: "Configuration", in: readme),
            "README.md has no '## Configuration' section"
        )
        var table: [String: String] = [:]
        for line in section.split(separator: "\n") where line.hasPrefix("|") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard let name = cells.first, name.hasPrefix("`"), name.hasSuffix("`"), name.count > 2 else { continue }
            table[String(name.dropFirst().dropLast())] = cells.count > 1 ? cells[cells.index(after: cells.startIndex)] : ""
        }
        return table
    }

    /// The variables in README's configuration table.
    static func readmeVariables() throws -> Set<String> {
        Set(try readmeConfigurationTable().keys)
    }

    /// The variables env.example sets (`NAME=value`) or shows commented out (`# NAME=value`), with the
    /// value of those it sets.
    static func envExample() throws -> (names: Set<String>, values: [String: String]) {
        var names = Set<String>()
        var values: [String: String] = [:]
        for rawLine in try Repository.text("env.example").split(separator: "\n") {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            let commentedOut = line.hasPrefix("#")
            if commentedOut { line = line.dropFirst().trimmingCharacters(in: .whitespaces) }
            if line.hasPrefix("export ") { line = String(line.dropFirst("export ".count)) }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let name = String(line[..<equals])
            guard isVariableName(name) else { continue }
            names.insert(name)
            if !commentedOut { values[name] = String(line[line.index(after: equals)...]) }
        }
        return (names, values)
    }

    /// The text under `## <name>` up to the next second-level heading.
    static func markdownSection(named name: String, in markdown: String) -> String? {
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "## \(name)" }) else {
            return nil
        }
        let rest = lines[(start + 1)...]
        let end = rest.firstIndex { $0.hasPrefix("## ") } ?? rest.endIndex
        return rest[..<end].joined(separator: "\n")
    }

    /// The first command in the first fenced code block of a README section.
    static func firstCommand(inSection name: String) throws -> String {
        let section = try #require(markdownSection(named: name, in: try Repository.text("README.md")),
                                   "README.md has no '## \(name)' section")
        let lines = section.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let fence = try #require(lines.firstIndex { $0.hasPrefix("```") }, "no code block under '## \(name)'")
        let command = try #require(lines[(fence + 1)...].first { !$0.isEmpty && !$0.hasPrefix("#") })
        return command
    }

    @Test("README's configuration table documents exactly the variables in env.example")
    func configurationTableMatchesEnvExample() throws {
        let documented = try Self.readmeVariables()
        let documentedPattern = documented.contains { $0.hasPrefix("KAFKA_CFG_<") }
        let plainDocumented = documented.filter { Self.isVariableName($0) }
        // Examples of librdkafka properties (KAFKA_CFG_*) are covered by the table's KAFKA_CFG_<NAME> row.
        let inExample = try Self.envExample().names.filter { !($0.hasPrefix("KAFKA_CFG_") && documentedPattern) }

        #expect(!plainDocumented.isEmpty, "README's configuration table lists no variables")
        #expect(inExample.subtracting(plainDocumented).isEmpty,
                "in env.example but not in README's table: \(inExample.subtracting(plainDocumented).sorted())")
        #expect(plainDocumented.subtracting(inExample).isEmpty,
                "in README's table but not in env.example: \(plainDocumented.subtracting(inExample).sorted())")
    }

    @Test("README's defaults are the values env.example sets")
    func defaultsMatchEnvExample() throws {
        let table = try Self.readmeConfigurationTable()
        for (name, value) in try Self.envExample().values.sorted(by: { $0.key < $1.key }) {
            guard let documented = table[name] else { continue }  // reported by the test above
            #expect(documented == "`\(value)`", "\(name): README says \(documented), env.example sets \(value)")
        }
    }

    @Test("the seed's variables keep their names")
    func seedVariablesDocumented() throws {
        let seed: Set = [
            "KAFKA_BROKERS", "KAFKA_TOPIC", "KAFKA_GROUP_ID", "AUTO_OFFSET_RESET", "ENABLE_AUTO_COMMIT",
            "MAX_RETRIES", "RETRY_DELAY", "ENVIRONMENT",
        ]
        let documented = try Self.readmeVariables()
        #expect(seed.subtracting(documented).isEmpty, "missing from README: \(seed.subtracting(documented).sorted())")
    }

    @Test("CI runs exactly README's test command")
    func ciRunsReadmeTestCommand() throws {
        let command = try Self.firstCommand(inSection: "Run the tests")
        let ciLines = try Repository.text(".ci/run").split(separator: "\n").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        #expect(ciLines.contains(command), ".ci/run does not run README's test command `\(command)`")
    }

    @Test("README's quick start command is an executable script")
    func quickStartCommandExists() throws {
        let command = try Self.firstCommand(inSection: "Quick start")
        let script = command.split(separator: " ").first.map(String.init) ?? ""
        let path = Repository.url(script.hasPrefix("./") ? String(script.dropFirst(2)) : script).path
        #expect(FileManager.default.isExecutableFile(atPath: path), "`\(command)`: \(path) is not executable")
    }

    @Test("shell scripts parse", arguments: [".ci/run", "scripts/install-deps.sh", "scripts/quickstart.sh"])
    func shellScriptParses(_ script: String) throws {
        #expect(FileManager.default.isExecutableFile(atPath: Repository.url(script).path), "\(script) is not executable")
        let result = try ProcessOutput.run("/bin/bash", ["-n", Repository.url(script).path])
        #expect(result.status == 0, "bash -n \(script): \(result)")
    }
}
