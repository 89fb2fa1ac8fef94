@testable import ProcessingCore

extension ServiceConfiguration {
    /// Loads from `environment` (and `commandLine`) alone: never from a `.env` file that happens to be in
    /// the test's working directory.
    static func load(
        onlyFrom environment: [String: String], commandLine: CommandLineOverrides = .init()
    ) throws(ConfigurationError) -> ServiceConfiguration {
        try load(commandLine: commandLine, environment: environment, environmentFilePath: nil)
    }
}
