import Foundation

/// CPU seconds (user + system) a running process has used so far, from `/proc/PID/stat` (Linux).
///
/// `wait4` gives a child's total only once it is reaped; this reads it while the process runs, so the
/// benchmark can tell how much CPU the consumer and the broker used inside the measurement window.
enum ProcessCPUTime {
    private static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// `nil` when the process is gone or /proc is not available.
    static func seconds(of pid: pid_t) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let endOfName = stat.lastIndex(of: ")")
        else { return nil }
        // After "pid (comm)" come fields 3 (state) ... ; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: endOfName)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / ticksPerSecond
    }
}
