import Foundation

/// The machine a benchmark ran on, as the report prints it: numbers only mean something next to it.
struct MachineDescription: Codable, Sendable {
    var onlineProcessors: Int
    var cpuModel: String
    var kernel: String
    var librdkafkaVersion: String

    static func current() -> MachineDescription {
        MachineDescription(
            onlineProcessors: ProcessInfo.processInfo.activeProcessorCount,
            cpuModel: cpuModel() ?? "unknown",
            kernel: kernelRelease() ?? "unknown",
            librdkafkaVersion: NativeClient.librdkafkaVersion)
    }

    /// The first `model name` of /proc/cpuinfo (Linux x86 and most arm64 kernels).
    private static func cpuModel() -> String? {
        guard let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        for line in cpuinfo.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    private static func kernelRelease() -> String? {
        var names = utsname()
        guard uname(&names) == 0 else { return nil }
        let release = withUnsafeBytes(of: &names.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let system = withUnsafeBytes(of: &names.sysname) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return "\(system) \(release)"
    }
}
