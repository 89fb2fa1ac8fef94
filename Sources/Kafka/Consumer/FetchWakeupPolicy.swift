/// Decides, from what the poll thread sees of librdkafka's prefetch queue, when librdkafka's fetchers
/// must be woken up (see `FetchWakeup` for why that is needed with librdkafka 2.0.2).
///
/// librdkafka stops fetching once its queue holds `queued.min.messages` messages or
/// `queued.max.messages.kbytes` of payload. The public API tells the number of queued messages but not
/// their bytes, so the byte limit is turned into a message count with the average size of the messages
/// the poll thread has seen.
///
/// The policy *arms* when the queue held three quarters of that limit at the start of a poll (the
/// messages just polled plus those still queued): only then can a fetch response have pushed it over the
/// limit and stopped the fetcher. It *fires* once, when the queue has drained to a quarter: early enough
/// that the quarter left covers a wake-up and a fetch round trip, late enough that the fetcher finds room
/// for a whole fetch. A wake-up the fetcher did not need costs one small request.
///
/// A value type, confined to the poll thread.
struct FetchWakeupPolicy: Sendable {
    /// `queued.min.messages` as librdkafka runs with it.
    let queuedMinMessages: Int
    /// `queued.max.messages.kbytes` × 1024.
    let queuedMaxBytes: Int

    /// Running average of the message sizes seen (payload plus key), in bytes.
    private(set) var averageMessageBytes: Double = 0
    private var armed = false

    init(queuedMinMessages: Int, queuedMaxBytes: Int) {
        self.queuedMinMessages = max(1, queuedMinMessages)
        self.queuedMaxBytes = max(1, queuedMaxBytes)
    }

    /// The queue length (in messages) at which librdkafka stops fetching, as far as the sizes seen tell.
    var stopLength: Int {
        guard averageMessageBytes >= 1 else { return queuedMinMessages }
        return min(queuedMinMessages, max(1, Int(Double(queuedMaxBytes) / averageMessageBytes)))
    }

    /// Records one polled batch and the queue length after it.
    /// - Parameters:
    ///   - messages: messages in the batch.
    ///   - bytes: their payload and key bytes.
    ///   - queueLength: messages left in the consumer queue after the batch (`rd_kafka_queue_length`).
    /// - Returns: true when the fetchers should be woken now.
    mutating func observe(messages: Int, bytes: Int, queueLength: Int) -> Bool {
        if messages > 0 {
            let batchAverage = Double(bytes) / Double(messages)
            // Weighted by batch size so one small batch does not swing the estimate.
            let weight = min(1, Double(messages) / 4096)
            averageMessageBytes = averageMessageBytes == 0
                ? batchAverage : averageMessageBytes + (batchAverage - averageMessageBytes) * weight
        }
        let limit = stopLength
        if (queueLength + messages) * 4 >= limit * 3 {
            armed = true
        }
        if armed, queueLength * 4 <= limit {
            armed = false
            return true
        }
        return false
    }
}
