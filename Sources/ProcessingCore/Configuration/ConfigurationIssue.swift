/// One problem found in the service's configuration: which setting, and what is wrong with it.
public struct ConfigurationIssue: Sendable, Equatable, CustomStringConvertible {
    /// The environment variable (`LOG_FORMAT`), command-line flag (`--kafka-property`) or file
    /// (`.env line 3`) that holds the bad value, as the operator would type it.
    public var setting: String
    /// What is wrong and, where there is a closed set, which values are accepted.
    public var problem: String

    public init(setting: String, problem: String) {
        self.setting = setting
        self.problem = problem
    }

    /// The issue as one line, e.g. `LOG_FORMAT: "yaml" is not one of json, text`.
    public var description: String { "\(setting): \(problem)" }
}
