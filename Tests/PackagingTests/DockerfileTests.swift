import Foundation
import Testing

/// The Dockerfile cannot be built here (no Docker engine); these checks catch the mistakes that matter most:
/// a single-stage image carrying the toolchain, a root runtime user, a product name that does not exist.
@Suite("Dockerfile")
struct DockerfileTests {
    /// One `FROM` stage: its base image and the instructions that follow it.
    struct Stage {
        let image: String
        var instructions: [(keyword: String, arguments: String)] = []
    }

    /// Splits the Dockerfile into stages, joining `\`-continued lines and dropping comments.
    static func stages() throws -> [Stage] {
        var stages: [Stage] = []
        var logicalLine = ""
        for rawLine in try Repository.text("Dockerfile").split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if logicalLine.isEmpty && (line.isEmpty || line.hasPrefix("#")) { continue }
            if line.hasSuffix("\\") {
                logicalLine += line.dropLast() + " "
                continue
            }
            logicalLine += line
            let parts = logicalLine.split(separator: " ", maxSplits: 1)
            let keyword = parts.first.map { $0.uppercased() } ?? ""
            let arguments = parts.count > 1 ? String(parts[1]) : ""
            if keyword == "FROM" {
                stages.append(Stage(image: String(arguments.split(separator: " ").first ?? "")))
            } else if !stages.isEmpty {
                stages[stages.count - 1].instructions.append((keyword, arguments))
            }
            logicalLine = ""
        }
        return stages
    }

    @Test("the build stage copies every folder Package.swift declares targets in (else SwiftPM cannot load it)")
    func copiesEveryTargetFolder() throws {
        let manifest = try Repository.text("Package.swift")
        var folders: Set<String> = ["Sources", "Tests"]
        // Custom target paths, e.g. `path: "Benchmarks/ConsumerBenchmark"`: their top-level folder.
        for match in manifest.matches(of: /path:\s*"([^"\/]+)/) { folders.insert(String(match.1)) }
        let build = try #require(try Self.stages().first)
        let copied = Set(build.instructions.filter { $0.keyword == "COPY" }.compactMap { $0.arguments.split(separator: " ").first.map(String.init) })
        for folder in folders.sorted() {
            #expect(copied.contains(folder), "Dockerfile's build stage does not COPY \(folder)")
        }
    }

    @Test("builds with the official Swift noble image and runs on a separate, smaller stage")
    func multiStage() throws {
        let stages = try Self.stages()
        try #require(stages.count >= 2, "expected a build stage and a runtime stage, found \(stages.count)")
        let build = stages[0], runtime = stages[stages.count - 1]
        #expect(build.image.hasPrefix("swift:"), "build stage uses \(build.image)")
        #expect(build.image.contains("noble") || build.image.contains("${UBUNTU_VERSION}"), "\(build.image)")
        #expect(!runtime.image.hasPrefix("swift:") || runtime.image.hasSuffix("-slim"),
                "runtime stage should not carry the toolchain: \(runtime.image)")
        #expect(runtime.instructions.contains { $0.keyword == "COPY" && $0.arguments.contains("--from=") },
                "runtime stage copies nothing from the build stage")
    }

    @Test("runtime stage runs as a non-root user")
    func nonRootUser() throws {
        let runtime = try #require(try Self.stages().last)
        let user = try #require(runtime.instructions.last { $0.keyword == "USER" }, "runtime stage has no USER")
        let name = user.arguments.split(separator: ":").first.map(String.init) ?? ""
        #expect(!["root", "0", ""].contains(name), "runtime USER is \(user.arguments)")
    }

    @Test("builds and starts the processing-service product declared in Package.swift")
    func productName() throws {
        let manifest = try Repository.text("Package.swift")
        let stages = try Self.stages()
        let runs = stages.flatMap(\.instructions).filter { $0.keyword == "RUN" }.map(\.arguments)
        for product in ["processing-service", "event-producer"] {
            #expect(manifest.contains(#".executable(name: "\#(product)""#), "Package.swift has no product \(product)")
            #expect(runs.contains { $0.contains("--product \(product)") && $0.contains("--static-swift-stdlib") },
                    "no static release build of \(product)")
        }
        let entrypoint = try #require(stages.last?.instructions.last { $0.keyword == "ENTRYPOINT" })
        #expect(entrypoint.arguments == #"["processing-service"]"#, "ENTRYPOINT is \(entrypoint.arguments)")
    }

    @Test(".dockerignore keeps build folders and git history out of the build context")
    func dockerignore() throws {
        let patterns = Set(try Repository.text(".dockerignore").split(separator: "\n").map {
            $0.trimmingCharacters(in: .whitespaces)
        })
        for required in [".build", ".build-*", ".git"] {
            #expect(patterns.contains(required), ".dockerignore lacks \(required)")
        }
    }
}
