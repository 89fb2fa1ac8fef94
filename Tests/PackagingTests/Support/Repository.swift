import Foundation

/// The checked-out repository these tests inspect, located from this source file's path
/// (`<root>/Tests/PackagingTests/Support/Repository.swift`), so the tests work from any working directory.
enum Repository {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Support
        .deletingLastPathComponent()  // PackagingTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    static func url(_ relativePath: String) -> URL {
        root.appendingPathComponent(relativePath)
    }

    static func exists(_ relativePath: String) -> Bool {
        FileManager.default.fileExists(atPath: url(relativePath).path)
    }

    /// The file's text; throws a readable error naming the file if it is missing.
    static func text(_ relativePath: String) throws -> String {
        do {
            return try String(contentsOf: url(relativePath), encoding: .utf8)
        } catch {
            throw RepositoryFileError(path: relativePath, underlying: error)
        }
    }
}

struct RepositoryFileError: Error, CustomStringConvertible {
    let path: String
    let underlying: any Error

    var description: String { "cannot read \(path) in the repository: \(underlying)" }
}
