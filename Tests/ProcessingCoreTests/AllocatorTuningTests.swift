import CMallocOptions
import Testing

@testable import ProcessingCore

@Suite("AllocatorTuning")
struct AllocatorTuningTests {
    @Test("malloc settings in the environment are the user's: nothing is changed", arguments: [
        "GLIBC_TUNABLES", "MALLOC_ARENA_MAX", "MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_",
    ])
    func environmentSettingsWin(variable: String) {
        let outcome = AllocatorTuning.apply(environment: ["PATH": "/usr/bin", variable: "2"])
        #expect(outcome == .leftToEnvironment(variable: variable))
    }

    #if os(Linux) && canImport(Glibc)
    @Test("on glibc both thresholds are set, and a 16 MiB buffer then comes from the heap, not mmap")
    func thresholdsTakeEffect() {
        #expect(AllocatorTuning.apply(environment: ["PATH": "/usr/bin"]) == .applied)
        let size = 16 * 1024 * 1024
        let mappedBefore = cmalloc_mmapped_bytes()
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        // With glibc's default (128 KiB, raised only after large chunks were freed) this is mmap'ed.
        #expect(cmalloc_mmapped_bytes() < mappedBefore + size)
    }
    #endif
}
