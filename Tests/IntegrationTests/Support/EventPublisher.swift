import Foundation
import TestSupport

/// Publishes synthetic EnrichedEvents with the built `event-producer` (keyed by `user_id`, so they
/// spread over the partitions by key hash, compressed in large batches).
///
///     try await EventPublisher.publish(to: broker, topic: "events", count: 10_000)
///     let producing = try EventPublisher.start(to: broker, topic: "events", count: 6_000, rate: 1_000)  // in the background
///     try await producing.finish()
struct EventPublisher: Sendable {
    private let child: ChildProcess
    private let output: OutputLines
    private let count: Int

    /// Starts publishing `count` events and returns at once.
    /// - Parameters:
    ///   - seed: the generator seed; use different seeds for several batches into one topic so event ids differ.
    ///   - compression: `none`, `gzip`, `snappy` (event-producer's default), `lz4` or `zstd`.
    ///   - rate: events per second (default: as fast as possible). A paced stream is how a test keeps
    ///     events flowing while it does something to the service or the broker.
    ///   - invalidEvery: make every K-th record one of the invalid samples (dead-letter tests).
    static func start(
        to broker: MockBroker,
        topic: String,
        count: Int,
        seed: UInt64 = 1,
        compression: String? = nil,
        rate: Int? = nil,
        invalidEvery: Int? = nil,
        extraArguments: [String] = []
    ) throws -> EventPublisher {
        var arguments = ["--brokers", broker.bootstrapServers, "--topic", topic, "--count", String(count), "--seed", String(seed)]
        if let compression { arguments += ["--compression", compression] }
        if let rate { arguments += ["--rate", String(rate), "--batch-linger-ms", "20"] }
        if let invalidEvery { arguments += ["--invalid-every", String(invalidEvery)] }
        arguments += extraArguments
        let output = OutputLines()
        let child = try ChildProcess(
            name: "event-producer",
            executable: try BuiltProducts.executableURL(named: "event-producer"),
            arguments: arguments,
            environment: [:],
            onLine: { output.append($0) }
        )
        return EventPublisher(child: child, output: output, count: count)
    }

    /// Publishes `count` events and waits until every one was delivered (see `start` for the parameters).
    /// - Throws: when event-producer fails or does not finish within `timeout` (a hang bound).
    static func publish(
        to broker: MockBroker,
        topic: String,
        count: Int,
        seed: UInt64 = 1,
        compression: String? = nil,
        invalidEvery: Int? = nil,
        timeout: Duration = .seconds(120)
    ) async throws {
        try await start(to: broker, topic: topic, count: count, seed: seed, compression: compression, invalidEvery: invalidEvery)
            .finish(timeout: timeout)
    }

    /// Waits for event-producer to exit and checks it delivered everything (exit status 0).
    func finish(timeout: Duration = .seconds(120)) async throws {
        let exit = try await child.waitForExit(timeout: timeout)
        guard exit == .exited(0) else {
            throw ChildProcessError(
                description: "event-producer (\(count) events) \(exit): \(output.text) \(child.standardError)"
            )
        }
    }
}

/// Lines of a child's standard output, collected thread-safely.
final class OutputLines: @unchecked Sendable {
    // `@unchecked`: `lines` is guarded by `lock`.
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ line: String) { lock.withLock { lines.append(line) } }

    var all: [String] { lock.withLock { lines } }

    var text: String { all.joined(separator: "\n") }
}
