import Logging

/// A swift-log handler writing one JSON object per line, for log collectors:
///
///     {"timestamp":"2024-01-15T10:30:45.123Z","level":"info","logger":"ProcessingService",
///      "message":"Processing event: page_view","metadata":{"event_id":"…","partition":"3"}}
///
/// (one line in reality). The message and metadata values are cut to 4 KiB and 1 KiB and escaped as
/// `LogStringEscaping` says. `timestamp` is RFC 3339 in UTC with milliseconds; `metadata` is always present
/// (`{}` when empty) so consumers of the logs see one schema; nested metadata stays nested. At `debug`
/// and `trace` the line also carries `source`, `file` and `line`, which help while debugging and would
/// only be noise at the levels production runs at.
public typealias JSONLogHandler = LineLogHandler<JSONLineLayout>

/// The layout of `JSONLogHandler`'s lines.
public enum JSONLineLayout: LogLineLayout {
    public static let typicalLineLength = 256

    public static func appendLine(for event: LogEvent, label: String, metadata: Logger.Metadata, to line: inout [UInt8]) {
        line.append(contentsOf: #"{"timestamp":""#.utf8)
        LogTimestamp.now(utc: true).appendRFC3339(to: &line)
        line.append(contentsOf: #"","level":""#.utf8)
        line.append(contentsOf: event.level.rawValue.utf8)
        line.append(contentsOf: #"","logger":"#.utf8)
        JSONLineEncoding.appendString(label, to: &line)
        line.append(contentsOf: #","message":"#.utf8)
        JSONLineEncoding.appendString(event.message.description, limit: LogStringEscaping.messageLimit, to: &line)
        line.append(contentsOf: #","metadata":"#.utf8)
        JSONLineEncoding.appendObject(metadata, to: &line)
        if event.level <= .debug {
            line.append(contentsOf: #","source":"#.utf8)
            JSONLineEncoding.appendString(event.source, to: &line)
            line.append(contentsOf: #","file":"#.utf8)
            JSONLineEncoding.appendString(event.file, to: &line)
            line.append(contentsOf: #","line":"#.utf8)
            line.append(contentsOf: String(event.line).utf8)
        }
        line.append(contentsOf: "}\n".utf8)
    }
}
