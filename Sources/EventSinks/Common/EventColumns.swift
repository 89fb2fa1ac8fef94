import EventModel
import ProcessingCore

/// One event as the SQL stores' columns: every `EnrichedEvent` member, plus where it came from in Kafka.
///
/// Both SQL sinks use the same table shape (see README "Storing events"): the top-level strings as text,
/// the timestamp as an instant (PostgreSQL `timestamptz`; SQLite RFC 3339 text in UTC, which sorts by
/// time), the four nested objects as JSON (`event_data` exactly as received; the three others rebuilt from
/// their known members, which are all the schema has).
package struct EventColumns {
    /// Column names in table order, without `stored_at` (filled by the store).
    package static let names = [
        "event_id", "event_type", "timestamp", "request_id", "user_id", "session_id", "page_url",
        "event_data", "client_info", "service_info", "processing_info",
        "kafka_topic", "kafka_partition", "kafka_offset",
    ]

    package var eventID: String
    package var eventType: String
    /// RFC 3339 in UTC (`Z`), fraction as sent (nanoseconds at most).
    package var timestamp: String
    package var requestID: String?
    package var userID: String?
    package var sessionID: String?
    package var pageURL: String?
    package var eventData: [UInt8]?
    package var clientInfo: String?
    package var serviceInfo: String?
    package var processingInfo: String?
    package var topic: String
    package var partition: Int32
    package var offset: Int64

    package init(_ sinkEvent: SinkEvent) {
        let event = sinkEvent.event
        eventID = event.eventID
        eventType = event.eventType
        let utc = EventTimestamp(
            secondsSinceEpoch: event.timestamp.secondsSinceEpoch, nanoseconds: event.timestamp.nanoseconds)
        timestamp = utc.description
        requestID = event.requestID
        userID = event.userID
        sessionID = event.sessionID
        pageURL = event.pageURL
        eventData = event.eventData?.bytes
        clientInfo = event.clientInfo.map { info in
            JSONObjectText.build {
                $0.member("user_agent", info.userAgent)
                $0.member("screen_resolution", info.screenResolution)
                $0.member("language", info.language)
            }
        }
        serviceInfo = event.serviceInfo.map { info in
            JSONObjectText.build {
                $0.member("service_name", info.serviceName)
                $0.member("service_version", info.serviceVersion)
                $0.member("environment", info.environment)
            }
        }
        processingInfo = event.processingInfo.map { info in
            JSONObjectText.build {
                $0.member("received_at", info.receivedAt)
                $0.member("processed_at", info.processedAt)
                $0.member("processing_ms", info.processingMs)
            }
        }
        topic = sinkEvent.topicPartition.topic
        partition = sinkEvent.topicPartition.partition
        offset = sinkEvent.offset
    }
}
