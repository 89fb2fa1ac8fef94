import Foundation

/// One line the service logged with `LOG_FORMAT=json`:
/// `{"timestamp":…,"level":"info","logger":…,"message":…,"metadata":{…}}`.
struct ServiceLogLine: Sendable {
    var level: String
    var logger: String
    var message: String
    /// String metadata values as logged; nested values are kept as their JSON text.
    var metadata: [String: String]
    /// The `timestamp` field as logged (RFC 3339, UTC, milliseconds); see `date`.
    var timestamp: String

    /// When the service logged the line, by its own clock; nil when the timestamp does not parse.
    var date: Date? {
        // Parsed on demand: most tests never look at it, and a formatter per line would cost every reader.
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: timestamp)
    }

    /// The message the default processor logs for every event it processes.
    static let processedMessagePrefix = "Processing event: "

    /// Parses a JSON log line; nil for anything else (e.g. a crash message on stdout).
    init?(json line: String) {
        guard line.first == "{",
              let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let level = object["level"] as? String,
              let message = object["message"] as? String
        else { return nil }
        self.level = level
        self.logger = object["logger"] as? String ?? ""
        self.timestamp = object["timestamp"] as? String ?? ""
        self.message = message
        var metadata: [String: String] = [:]
        for (key, value) in object["metadata"] as? [String: Any] ?? [:] {
            if let string = value as? String {
                metadata[key] = string
            } else if let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys]) {
                metadata[key] = String(decoding: data, as: UTF8.self)
            }
        }
        self.metadata = metadata
    }

    /// The partition and offset of a `Processing event: <type>` line (the default processor's), else nil.
    var processedEvent: (partition: Int32, offset: Int64)? {
        guard message.hasPrefix(Self.processedMessagePrefix),
              let partition = metadata["partition"].flatMap({ Int32($0) }),
              let offset = metadata["offset"].flatMap({ Int64($0) })
        else { return nil }
        return (partition, offset)
    }

    /// The count of an `N log lines dropped` line (the service's log writer could not keep a line), else nil.
    var droppedLineCount: Int? {
        guard message.hasSuffix(" log lines dropped") else { return nil }
        return metadata["dropped_lines"].flatMap { Int($0) }
    }

    /// The partition numbers of a `Partitions assigned` / `Partitions revoked` / `Partitions lost` line,
    /// whose `partitions` metadata reads `topic[0],topic[3]`.
    var partitionNumbers: [Int32] {
        guard let list = metadata["partitions"], !list.isEmpty else { return [] }
        return list.split(separator: ",").compactMap { entry in
            guard let open = entry.lastIndex(of: "["), entry.last == "]" else { return nil }
            return Int32(entry[entry.index(after: open)..<entry.index(before: entry.endIndex)])
        }
    }
}
