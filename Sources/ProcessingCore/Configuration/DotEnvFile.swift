/// A `.env` file: `NAME=value` lines read into a dictionary.
///
/// swift-configuration's `EnvironmentVariablesProvider(environmentFilePath:allowMissing:)` reads such a
/// file too, but only answers look-ups of known keys: a provider cannot list its keys, and the
/// `KAFKA_CFG_*` pass-through needs exactly that. Parsing here once and handing the dictionary to
/// `EnvironmentVariablesProvider(environmentVariables:)` keeps one parse for both uses.
///
/// The rules follow swift-configuration's parser (`#` comment lines and blank lines skipped, split at the
/// first `=`, name and value trimmed), plus what `.env` files written for docker compose and
/// python-dotenv (which the original service used) contain: an optional `export ` prefix, a quoted value
/// taken from inside its quotes (`KEY="a b"` → `a b`, no escape sequences), and a trailing comment after
/// an unquoted value dropped (`KEY=debug  # verbose` → `debug`; a `#` not preceded by a space is kept). Unlike swift-configuration,
/// which drops malformed lines silently, a line that is not `NAME=value` is an error naming its line
/// number, so a typo in the file does not silently fall back to a default.
public struct DotEnvFile: Sendable, Equatable {
    /// The variables, later lines winning over earlier ones.
    public var variables: [String: String]

    public init(variables: [String: String]) {
        self.variables = variables
    }

    /// Parses the contents of a `.env` file.
    /// - Parameter displayName: how issues refer to the file, e.g. `.env`.
    /// - Throws: a `ConfigurationError` listing every malformed line.
    public init(parsing contents: String, displayName: String = ".env") throws(ConfigurationError) {
        var variables: [String: String] = [:]
        var issues: [ConfigurationIssue] = []
        // `isNewline` rather than "\n": in Swift "\r\n" is a single Character, so splitting at "\n" alone would
        // leave CRLF files (written on Windows) as one long line.
        let lines = contents.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (index, rawLine) in lines.enumerated() {
            var line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = line.dropFirst("export ".count).trimmingWhitespace() }
            guard let equals = line.firstIndex(of: "=") else {
                issues.append(.init(setting: "\(displayName) line \(index + 1)", problem: "expected NAME=value"))
                continue
            }
            let name = line[..<equals].trimmingWhitespace()
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                issues.append(
                    .init(
                        setting: "\(displayName) line \(index + 1)",
                        problem: "expected NAME=value with NAME made of letters, digits and underscores"
                    )
                )
                continue
            }
            let value = line[line.index(after: equals)...].trimmingWhitespace()
            variables[String(name)] = String(Self.unquoted(value))
        }
        guard issues.isEmpty else { throw ConfigurationError(issues: issues) }
        self.variables = variables
    }

    /// The value proper: the text inside its quotes if quoted, else the text before an inline comment.
    private static func unquoted(_ value: Substring) -> Substring {
        if let quote = value.first, quote == "\"" || quote == "'" {
            let rest = value.dropFirst()
            // An unbalanced quote is not a quoted value: keep it as written.
            guard let closing = rest.firstIndex(of: quote) else { return value }
            return rest[..<closing]
        }
        var previous: Character = "="  // `KEY=#abc` is the value `#abc`: a comment needs a space before it
        for index in value.indices {
            if value[index] == "#", previous == " " || previous == "\t" {
                return value[..<index].trimmingWhitespace()
            }
            previous = value[index]
        }
        return value
    }
}

extension Substring {
    /// The text without leading and trailing spaces, tabs and carriage returns (`\r\n` line ends).
    func trimmingWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\r\n" }
        guard let start = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return self[endIndex...]
        }
        return self[start...last]
    }
}
