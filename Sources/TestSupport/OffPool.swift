import Foundation

/// Runs blocking work (waiting for a child process, a blocking read) on a thread of its own, so that an
/// async test suspends instead of holding one of the cooperative pool's few threads — on 2 cores, two
/// blocked helpers would stall every other test.
public enum OffPool {
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }

    public static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: body()) }
        }
    }
}
