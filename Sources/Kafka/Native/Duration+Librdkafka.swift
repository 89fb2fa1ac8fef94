extension Duration {
    /// This duration as the `int timeout_ms` librdkafka's blocking calls take: whole milliseconds, rounded
    /// down, clamped to `0...Int32.max`. The one conversion of the `Kafka` target: a negative timeout means
    /// "wait forever" to librdkafka, which a negative `Duration` must never turn into.
    package var librdkafkaMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        guard seconds <= Int64(Int32.max) / 1000 else { return .max }
        return Int32(clamping: max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000))
    }

    /// As `librdkafkaMilliseconds`, but at least 1: the `timeout_ms` of a request to the brokers, where 0
    /// would mean "give up before any answer can come".
    package var librdkafkaRequestMilliseconds: Int32 {
        max(1, librdkafkaMilliseconds)
    }
}
