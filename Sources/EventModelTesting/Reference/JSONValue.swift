import EventModel
/// A JSON value as Foundation's `JSONDecoder` reads it (numbers as `Double`): how the reference model holds
/// `event_data`, and how tests compare the raw `event_data` our decoder keeps with the reference's.
public enum JSONValue: Sendable, Hashable, Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([String: JSONValue].self) {
            self = .object(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            // Last, so its error (e.g. a number out of Double's range) is the one reported.
            self = .number(try container.decode(Double.self))
        }
    }
}
