import Foundation

/// The project's executables the benchmark runs, found next to `consumer-benchmark` itself: one
/// `swift build` puts every product of the package in the same directory, so the benchmark always runs
/// binaries of the same build and configuration as itself.
struct SiblingExecutables: Sendable {
    var directory: String
    var mockKafka: String
    var eventProducer: String
    var processingService: String
    var consumerBenchmark: String

    /// - Parameter includingService: whether processing-service must be there too (not for a raw-only run).
    static func locate(includingService: Bool) throws -> SiblingExecutables {
        let selfPath = try currentExecutablePath()
        let directory = (selfPath as NSString).deletingLastPathComponent
        let siblings = SiblingExecutables(
            directory: directory,
            mockKafka: directory + "/mock-kafka",
            eventProducer: directory + "/event-producer",
            processingService: directory + "/processing-service",
            consumerBenchmark: selfPath)
        let required = [siblings.mockKafka, siblings.eventProducer] + (includingService ? [siblings.processingService] : [])
        for path in required
        where !FileManager.default.isExecutableFile(atPath: path) {
            throw BenchmarkError(
                "\(path) not found: build every product first (scripts/benchmark.sh does: swift build -c release)")
        }
        return siblings
    }

    private static func currentExecutablePath() throws -> String {
        #if os(Linux)
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        #endif
        guard let path = Bundle.main.executablePath else {
            throw BenchmarkError("cannot tell where consumer-benchmark is installed")
        }
        return (path as NSString).resolvingSymlinksInPath
    }
}
