import EventModel
/// One synthetic Kafka record: the key (the event's `user_id`, so a user's events share a partition) and the
/// value (an `EnrichedEvent` JSON document, UTF-8).
public struct SyntheticEvent: Sendable, Hashable {
    public var key: [UInt8]
    public var value: [UInt8]

    public init(key: [UInt8], value: [UInt8]) {
        self.key = key
        self.value = value
    }
}
