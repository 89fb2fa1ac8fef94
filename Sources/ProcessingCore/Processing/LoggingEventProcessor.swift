import EventModel
import Logging

/// The default processor, doing what the Python service did: one info line per event,
/// `Processing event: <event_type>`, with the event's identity and origin as structured metadata.
///
/// The message and metadata are autoclosures: below `info` nothing is formatted, which is what keeps
/// the service fast at `LOG_LEVEL=warning`. With a store (`SINK` other than `log`) the service logs the
/// line at `debug` instead: the stored rows are the record then, and a line per event would cost more
/// than storing it.
public struct LoggingEventProcessor: SynchronousEventProcessor {
    /// The level of the per-event line.
    public let level: Logger.Level

    public init(level: Logger.Level = .info) {
        self.level = level
    }

    public func processSynchronously(_ event: EnrichedEvent, context: ProcessingContext) {
        context.logger.log(
            level: level,
            "Processing event: \(event.eventType)",
            metadata: [
                "event_id": "\(event.eventID)",
                "event_type": "\(event.eventType)",
                "user_id": "\(event.userID ?? "")",
                "topic": "\(context.topicPartition.topic)",
                "partition": "\(context.topicPartition.partition)",
                "offset": "\(context.offset)",
            ]
        )
    }
}
