import ArgumentParser

/// The two consumers the benchmark compares.
enum ConsumerKind: String, Codable, CaseIterable, ExpressibleByArgument, Sendable {
    /// `consumer-benchmark raw`: the bare librdkafka loop.
    case raw
    /// `processing-service`: the whole service, real pipeline.
    case service
}
