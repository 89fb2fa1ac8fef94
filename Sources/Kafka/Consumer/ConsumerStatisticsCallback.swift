import CRdKafka

/// librdkafka's statistics callback (`rd_kafka_conf_set_stats_cb`), registered by
/// `ConsumerCallbackContext.install`. It runs on the poll thread, inside `rd_kafka_consumer_poll` (the main
/// queue is forwarded to the consumer queue), every `statistics.interval.ms`: it only copies the document
/// into `ConsumerObservations` (parsing it is the reader's business, off the poll thread) and returns 0,
/// so librdkafka frees its buffer.
func consumerStatisticsCallback(
    client: OpaquePointer?, json: UnsafeMutablePointer<CChar>?, length: Int, opaque: UnsafeMutableRawPointer?
) -> Int32 {
    guard let json, let opaque else { return 0 }
    let context = Unmanaged<ConsumerCallbackContext>.fromOpaque(opaque).takeUnretainedValue()
    guard let observations = context.pollLoop?.state.observations else { return 0 }
    let text = UnsafeRawBufferPointer(start: json, count: length).withMemoryRebound(to: UInt8.self) {
        String(decoding: $0, as: UTF8.self)
    }
    observations.recordStatistics(text)
    return 0
}
