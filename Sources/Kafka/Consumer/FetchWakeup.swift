import Dispatch
import Logging
import Synchronization

/// Wakes librdkafka's fetchers once the consumer has drained a prefetch queue that had filled up.
///
/// Why this exists: in librdkafka before 2.2.0, a broker thread that finds the consumer queue holding
/// `queued.min.messages` messages or `queued.max.messages.kbytes` takes its partitions off the fetch list
/// with no deadline (`rd_kafka_toppar_fetch_decide` returns `RD_TS_MAX`). It decides again only when
/// something else wakes that thread: a reply or request for that broker, or its 1 s idle timeout
/// (`rd_kafka_max_block_ms`). The application draining the queue does not wake it. So a consumer that is
/// slower than its fetches empties the queue and then sits idle for up to a second, every time the
/// queue filled: benchmark rounds that hit this spent 30–50% of their time idle, and with a small
/// `queued.max.messages.kbytes` throughput fell to about one queue's worth per second (librdkafka issue
/// #2879; 2.2.0 added `fetch.queue.backoff.ms` for it). Debian bookworm ships 2.0.2.
///
/// The public API reaches a broker thread only through requests to that broker, so the wake-up is the
/// cheapest read-only request: ListOffsets for the latest offsets of the assignment
/// (`rd_kafka_offsets_for_times`, which sends one request per partition leader). Its arrival on each
/// leader's broker thread makes that thread decide again and fetch. `FetchWakeupPolicy` decides when.
///
/// The call blocks for a round trip, so it runs on a serial dispatch queue of its own (an overcommit
/// dispatch thread: never the poll thread, never Swift's cooperative pool), at most one at a time;
/// requests made while one is in flight are dropped, since that one wakes the same threads. Each call is
/// registered with the state machine as an in-flight native call, so the handle is not destroyed under it.
///
/// `@unchecked Sendable` only for the `rd_kafka_t` pointer, which is used solely with the thread-safe
/// `rd_kafka_offsets_for_times` (through `NativeOffsetQueries`); everything else is immutable or atomic.
final class FetchWakeup: @unchecked Sendable {
    /// Bounds each wake-up request; only delays a close that waits for it.
    static let timeout: Duration = .milliseconds(500)

    private let client: OpaquePointer
    private let state: ConsumerState
    private let logger: Logger
    private let queue = DispatchQueue(label: "kafka-fetch-wakeup")
    private let inFlight = Atomic<Bool>(false)
    private let sent = Atomic<Int>(0)

    /// `client` must stay valid while a wake-up is registered as an in-flight native call with `state`.
    init(client: OpaquePointer, state: ConsumerState, logger: Logger) {
        self.client = client
        self.state = state
        self.logger = logger
    }

    /// Wake-up requests sent so far.
    var wakeupsSent: Int { sent.load(ordering: .relaxed) }

    /// Sends a wake-up to the leaders of the current assignment, unless one is in flight or the
    /// consumer is closing. Non-blocking.
    func wake() {
        guard inFlight.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return }
        guard let partitions = state.withLock({ machine -> Set<TopicPartition>? in
            guard !machine.assignment.isEmpty, machine.beginNativeCall() else { return nil }
            return machine.assignment
        }) else {
            inFlight.store(false, ordering: .releasing)
            return
        }
        queue.async { [self] in
            defer {
                state.endNativeCall()
                inFlight.store(false, ordering: .releasing)
            }
            // The high watermarks' request: what is asked does not matter, that it reaches the leaders'
            // broker threads does.
            let answer = NativeOffsetQueries.listOffsets(client: client, partitions: Array(partitions), at: .latest, timeout: Self.timeout)
            sent.add(1, ordering: .relaxed)
            if case .failure(let error) = answer {
                // Harmless: the fetchers wake up by themselves within a second anyway.
                logger.debug("Fetch wake-up request failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
