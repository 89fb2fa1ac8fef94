import Kafka

/// Observations of a consumer that never ran (all zero), for metric tests without Kafka.
enum ConsumerObservationsFixture {
    static func make() -> ConsumerObservations { ConsumerObservations() }
}
