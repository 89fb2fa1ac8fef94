import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a child process ended and the resources it used over its whole life, from `wait4`.
struct ChildTermination: Sendable {
    /// The exit status, or `nil` when a signal ended the process.
    var exitCode: Int32?
    /// The signal that ended the process, if one did.
    var signal: Int32?
    var userCPUSeconds: Double
    var systemCPUSeconds: Double
    /// `ru_maxrss`: the peak resident set size, in bytes.
    var peakResidentBytes: Int
    /// `ru_nvcsw` / `ru_nivcsw`: how often its threads gave up the CPU (waiting) or were preempted.
    var voluntaryContextSwitches: Int
    var involuntaryContextSwitches: Int

    var cpuSeconds: Double { userCPUSeconds + systemCPUSeconds }
    var exitedCleanly: Bool { exitCode == 0 }

    var summary: String {
        if let exitCode { return "exit \(exitCode)" }
        return "killed by signal \(signal ?? 0)"
    }
}

/// A child process started with `posix_spawn` and reaped with `wait4`.
///
/// Written on `posix_spawn` rather than Foundation's `Process` because the benchmark needs the child's own
/// `rusage` (CPU seconds, peak RSS), which only the `wait4` that reaps it returns; `Process` reaps its
/// children itself and does not expose it.
final class ChildProcess {
    /// Where a standard stream of the child goes.
    enum Stream {
        /// The same file as this process's.
        case inherit
        /// `/dev/null`.
        case null
        /// A pipe whose other end this object keeps (`writeToStandardInput`, `readStandardOutputLine`).
        case pipe
        /// A file, appended to (created if missing).
        case file(String)
    }

    let name: String
    let pid: pid_t
    /// The write end of the child's standard input, if it is a pipe; -1 once closed.
    private var standardInput: Int32
    /// The read end of the child's standard output, if it is a pipe; -1 once closed.
    private var standardOutput: Int32
    private var pendingOutput: [UInt8] = []
    private(set) var termination: ChildTermination?

    /// Starts `executable` with `arguments` (not including argv[0]) and exactly `environment`.
    init(
        name: String,
        executable: String,
        arguments: [String],
        environment: [String: String],
        standardInput stdinMode: Stream = .null,
        standardOutput stdoutMode: Stream = .inherit,
        standardError stderrMode: Stream = .inherit
    ) throws {
        self.name = name
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }

        // Pipe ends are created close-on-exec: only the dup2'ed copy (fd 0 or 1) reaches the child, so a
        // later child never inherits another child's stdin pipe (mock-kafka relies on seeing EOF when we go).
        var parentEnds: [Int32] = []
        var childEnds: [Int32] = []
        func configure(_ mode: Stream, fd: Int32, childReads: Bool) throws -> Int32 {
            switch mode {
            case .inherit:
                return -1
            case .null:
                posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", childReads ? O_RDONLY : O_WRONLY, 0)
                return -1
            case .file(let path):
                posix_spawn_file_actions_addopen(&actions, fd, path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
                return -1
            case .pipe:
                var ends: [Int32] = [-1, -1]
                // pipe2 is not visible to Swift (it needs _GNU_SOURCE); this process spawns from one thread
                // only, so setting FD_CLOEXEC right after pipe() leaves no window for another spawn.
                guard pipe(&ends) == 0 else { throw BenchmarkError("pipe: \(String(cString: strerror(errno)))") }
                for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
                let (childEnd, parentEnd) = childReads ? (ends[0], ends[1]) : (ends[1], ends[0])
                posix_spawn_file_actions_adddup2(&actions, childEnd, fd)
                parentEnds.append(parentEnd)
                childEnds.append(childEnd)
                return parentEnd
            }
        }
        do {
            standardInput = try configure(stdinMode, fd: 0, childReads: true)
            standardOutput = try configure(stdoutMode, fd: 1, childReads: false)
            _ = try configure(stderrMode, fd: 2, childReads: false)
        } catch {
            (parentEnds + childEnds).forEach { close($0) }
            throw error
        }
        // The child owns its ends from here; ours are closed whatever happens.
        defer { childEnds.forEach { close($0) } }

        // Children start with default signal handling and an empty mask, whatever this process changed.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var childPID: pid_t = 0
        let status = posix_spawn(&childPID, executable, &actions, &attributes, argv, envp)
        guard status == 0 else {
            parentEnds.forEach { close($0) }
            throw BenchmarkError("cannot start \(executable): \(String(cString: strerror(status)))")
        }
        pid = childPID
    }

    deinit {
        closeStandardInput()
        if standardOutput >= 0 { close(standardOutput) }
        // Never leave a child behind (e.g. when the benchmark fails half-way).
        if termination == nil {
            kill(pid, SIGKILL)
            _ = waitForExit(timeout: .seconds(5))
        }
    }

    /// Closes the child's standard input: end of file for it (mock-kafka stops its cluster on that).
    func closeStandardInput() {
        if standardInput >= 0 {
            close(standardInput)
            standardInput = -1
        }
    }

    /// The next line the child wrote to its standard output pipe, without the newline; `nil` on end of file
    /// or when `timeout` passed first.
    func readStandardOutputLine(timeout: Duration) throws -> String? {
        precondition(standardOutput >= 0, "standard output of \(name) is not a pipe")
        let deadline = ContinuousClock.now + timeout
        while true {
            if let newline = pendingOutput.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pendingOutput[..<newline], as: UTF8.self)
                pendingOutput.removeSubrange(...newline)
                return line
            }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return nil }
            var descriptor = pollfd(fd: standardOutput, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(remaining.milliseconds))
            if ready < 0 && errno != EINTR { throw BenchmarkError("poll: \(String(cString: strerror(errno)))") }
            guard ready > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = read(standardOutput, &buffer, buffer.count)
            if count < 0 && errno != EINTR { throw BenchmarkError("read: \(String(cString: strerror(errno)))") }
            if count == 0 { return nil }
            if count > 0 { pendingOutput += buffer[..<count] }
        }
    }

    /// Sends `signal` to the child unless it has already been reaped.
    func send(_ signal: Int32) {
        if termination == nil { kill(pid, signal) }
    }

    /// Reaps the child if it has exited, without blocking.
    @discardableResult
    func pollExit() -> ChildTermination? {
        if let termination { return termination }
        var status: Int32 = 0
        var usage = rusage()
        let result = wait4(pid, &status, WNOHANG, &usage)
        guard result == pid else { return nil }
        let signalNumber = status & 0x7f
        let record = ChildTermination(
            exitCode: signalNumber == 0 ? (status >> 8) & 0xff : nil,
            signal: signalNumber == 0 ? nil : signalNumber,
            userCPUSeconds: usage.ru_utime.seconds,
            systemCPUSeconds: usage.ru_stime.seconds,
            // Linux reports ru_maxrss in KiB.
            peakResidentBytes: usage.ru_maxrss * 1024,
            voluntaryContextSwitches: usage.ru_nvcsw,
            involuntaryContextSwitches: usage.ru_nivcsw
        )
        termination = record
        return record
    }

    /// Waits up to `timeout` for the child to exit; `nil` if it is still running.
    func waitForExit(timeout: Duration) -> ChildTermination? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let termination = pollExit() { return termination }
            if ContinuousClock.now >= deadline { return nil }
            usleep(5_000)
        }
    }

    /// SIGTERM, then SIGKILL if the child has not exited after `grace`. Returns how it ended and
    /// whether it had to be killed.
    func stop(grace: Duration) -> (termination: ChildTermination, killed: Bool) {
        send(SIGTERM)
        if let termination = waitForExit(timeout: grace) { return (termination, false) }
        send(SIGKILL)
        // SIGKILL cannot be ignored; the wait only covers the kernel tearing the process down.
        while true {
            if let termination = waitForExit(timeout: .seconds(60)) { return (termination, true) }
        }
    }
}

extension timeval {
    fileprivate var seconds: Double { Double(tv_sec) + Double(tv_usec) / 1_000_000 }
}
