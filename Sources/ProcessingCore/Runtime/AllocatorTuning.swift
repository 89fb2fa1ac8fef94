import CMallocOptions

/// glibc `malloc` settings for the service process, applied once at start-up.
///
/// The service moves megabytes per second through buffers of 0.1–4 MiB that one thread allocates and
/// another frees: librdkafka's fetch and decompression buffers (broker thread, freed on the poll thread)
/// and the record arenas (poll thread, freed by the workers). With glibc's defaults, such buffers are
/// first `mmap`ed (threshold 128 KiB, raised only as large chunks are freed), and a heap whose free top
/// passes the trim threshold is shrunk with `madvise`, only to be faulted back in by the next fetch. In
/// the consumer benchmark that churn cost ~8% of the service's CPU time inside the measured window
/// (page faults in the broker and poll threads): 1.15 → 1.06 CPU s, total 1.33 → 1.30 s (4 rounds each,
/// measured through the environment with a 128 MiB trim threshold; with 64 MiB the service's total was 1.27 s,
/// together with the worker changes made at the same time).
///
/// The values are where glibc's own dynamic adjustment ends up at most (an mmap threshold of 32 MiB on
/// 64-bit, a trim threshold of twice that), set at once and kept. Both must be set together: setting
/// either one turns glibc's dynamic adjustment off, and measured alone each made things worse (the trim
/// threshold alone: 1.96 CPU s, because every arena was then `mmap`ed; the mmap threshold alone: 1.51 s).
/// The cost is memory a burst leaves behind: the heaps keep up to 64 MiB of free memory instead of
/// returning it (peak RSS in the benchmark: 57 → 59 MiB).
///
/// A user who tunes malloc through the environment (`MALLOC_*_` variables or `GLIBC_TUNABLES`) keeps
/// their settings: nothing is changed then. Not glibc (e.g. musl): nothing to do.
public enum AllocatorTuning {
    /// `M_MMAP_THRESHOLD`: allocations at least this large are `mmap`ed.
    public static let mmapThreshold = 32 * 1024 * 1024
    /// `M_TRIM_THRESHOLD`: free memory at a heap's top beyond this is returned to the system.
    public static let trimThreshold = 64 * 1024 * 1024

    /// Environment variables through which glibc's malloc takes settings; any of them means the user tunes it.
    static let userSettingVariables = [
        "GLIBC_TUNABLES", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_MMAP_MAX_",
        "MALLOC_ARENA_MAX", "MALLOC_ARENA_TEST",
    ]

    /// What `apply` did.
    public enum Outcome: Equatable, Sendable {
        /// Both thresholds were set.
        case applied
        /// Left alone: the environment sets malloc options (the variable named).
        case leftToEnvironment(variable: String)
        /// Left alone: not glibc.
        case unsupported
        /// glibc refused a value (`mallopt` returned 0); the parameter named.
        case refused(parameter: String)
    }

    /// Sets the thresholds unless `environment` tunes malloc itself. Call before the threads that
    /// allocate start; settings only affect allocations made after the call.
    @discardableResult
    public static func apply(environment: [String: String]) -> Outcome {
        if let variable = userSettingVariables.first(where: { environment[$0] != nil }) {
            return .leftToEnvironment(variable: variable)
        }
        // The mmap threshold first: setting either value ends the dynamic adjustment of both.
        switch cmalloc_set_threshold(CMALLOC_MMAP_THRESHOLD, Int32(mmapThreshold)) {
        case 1: break
        case 0: return .refused(parameter: "M_MMAP_THRESHOLD")
        default: return .unsupported
        }
        guard cmalloc_set_threshold(CMALLOC_TRIM_THRESHOLD, Int32(trimThreshold)) == 1 else {
            return .refused(parameter: "M_TRIM_THRESHOLD")
        }
        return .applied
    }
}
