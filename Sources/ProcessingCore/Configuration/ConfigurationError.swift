/// The configuration could not be loaded: one or more settings are invalid.
///
/// Loading does not stop at the first bad value. Every setting is checked and every problem collected,
/// so an operator fixes the whole deployment in one go instead of one restart per typo. Each issue is
/// exactly one line naming the variable or flag and the accepted values; `description` joins them with
/// newlines (a single bad value gives a single line).
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The problems found, in the order the settings were read (never empty).
    public var issues: [ConfigurationIssue]

    public init(issues: [ConfigurationIssue]) {
        precondition(!issues.isEmpty, "a ConfigurationError needs at least one issue")
        self.issues = issues
    }

    public init(setting: String, problem: String) {
        self.init(issues: [ConfigurationIssue(setting: setting, problem: problem)])
    }

    public var description: String {
        issues.map(\.description).joined(separator: "\n")
    }
}
