import EventModel
import Logging

/// The default processor, doing what the Python service did: one info line per event,
/// `Processing event: <event_type>`, with the event's identity and origin as structured metadata.
///
/// The message and metadata are autoclosures: below `info` nothing is formatted, which is what keeps
/// the service fast at `LOG_LEVEL=warning`.
public struct LoggingEventProcessor: SynchronousEventProcessor {
    public init() {}

    public func processSynchronously(_ event: EnrichedEvent, context: ProcessingContext) {
        context.logger.info(
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
