import ArgumentParser
import Foundation

/// `consumer-benchmark raw`: the baseline consumer, meant to run in its own process (the orchestrator
/// starts it so that its CPU time and peak RSS are its own).
struct RawConsumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raw",
        abstract: "Consume N messages with a bare librdkafka loop (no decoding), commit, close.",
        discussion: """
            The baseline of the benchmark: subscribe, poll, count, with librdkafka's automatic offset store \
            and auto-commit every --commit-interval-ms; after N messages one synchronous commit and a clean \
            close. Prints one summary line on standard error.

            By default the final commit waits one auto-commit interval first, so that, like the service \
            (whose last offsets are committed by the same timer), the last offsets reach the broker on \
            librdkafka's auto-commit timer: the benchmark's window ends at "all committed" for both, with \
            the same timer granularity.
            """
    )

    @Option(help: "Bootstrap servers, host:port[,host:port...].")
    var brokers: String

    @Option(help: "Topic to subscribe to.")
    var topic: String

    @Option(help: "Consumer group id (use a fresh one per run: the mock cluster delays re-joins).")
    var group: String

    @Option(help: "Stop after this many messages.")
    var expect: Int

    @Option(help: "auto.commit.interval.ms.")
    var commitIntervalMs: Int = 100

    @Option(help: "Messages per rd_kafka_consume_batch_queue call; 0 polls one message at a time with rd_kafka_consumer_poll.")
    var batchSize: Int = 0

    @Flag(help: "Commit synchronously as soon as N messages arrived, instead of first letting one auto-commit interval pass.")
    var immediateFinalCommit = false

    func validate() throws {
        guard expect > 0 else { throw ValidationError("--expect must be positive") }
        guard commitIntervalMs > 0 else { throw ValidationError("--commit-interval-ms must be positive") }
        guard batchSize >= 0 else { throw ValidationError("--batch-size must be 0 or positive") }
    }

    func run() throws {
        let loop = try RawConsumeLoop(
            brokers: brokers, topic: topic, group: group, commitIntervalMs: commitIntervalMs)
        let started = ContinuousClock.now
        let consumed = try loop.consume(
            count: expect, batchSize: batchSize,
            autoCommitGrace: immediateFinalCommit ? .zero : .milliseconds(commitIntervalMs))
        let elapsed = ContinuousClock.now - started
        FileHandle.standardError.write(Data(
            "raw: consumed \(consumed) messages in \(elapsed.formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 2)))) (including group join), committed, closed\n".utf8))
    }
}
