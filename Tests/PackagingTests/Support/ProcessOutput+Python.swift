import Foundation
import TestSupport

extension ProcessOutput {
    /// The Python that has Debian's `python3-jsonschema` and `python3-yaml` (installed by
    /// scripts/install-deps.sh): the system one, not a pyenv/virtualenv `python3` that may come first on PATH.
    static var python3: String {
        ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }
            ?? "/usr/bin/env"
    }

    /// Runs a checker script with that Python, in the repository's root.
    static func runPython(_ arguments: [String], environment: [String: String] = [:]) throws -> ProcessOutput {
        let interpreter = python3
        let fullArguments = interpreter == "/usr/bin/env" ? ["python3"] + arguments : arguments
        return try run(interpreter, fullArguments, environment: environment, in: Repository.root)
    }
}
