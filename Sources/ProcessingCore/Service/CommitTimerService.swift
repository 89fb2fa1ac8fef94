import Kafka
import ServiceLifecycle

/// With `ENABLE_AUTO_COMMIT=false`, commits the stored offsets (finished work only) at a fixed interval.
/// Revocation and shutdown commit on their own (the consumer commits synchronously then).
public struct CommitTimerService: Service {
    private let consumer: KafkaConsumer
    private let interval: Duration

    public init(consumer: KafkaConsumer, interval: Duration) {
        self.consumer = consumer
        self.interval = interval
    }

    public func run() async throws {
        // Ends at graceful shutdown; the consumer's close then makes the final, synchronous commit.
        while true {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            consumer.commit()
        }
    }
}
