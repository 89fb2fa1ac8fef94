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
///
/// Level filtering happens in `Logger` before `log(event:)` is called (the message is not even
/// rendered), so nothing here runs for filtered levels.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    private let label: String
    private let writer: any LogLineWriter

    /// - Parameters:
    ///   - label: the logger's label, written as `logger`.
    ///   - level: the lowest level written.
    ///   - writer: where lines go (standard output in the service, a `CapturingLogWriter` in tests).
    ///   - metadataProvider: contextual metadata added to every line.
    public init(
        label: String,
        level: Logger.Level = .info,
        writer: any LogLineWriter = FileDescriptorLogWriter.standardOutput,
        metadataProvider: Logger.MetadataProvider? = nil
    ) {
        self.label = label
        self.logLevel = level
        self.writer = writer
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = LogEventMetadata.merged(handler: metadata, provider: metadataProvider, event: event)
        var line: [UInt8] = []
        line.reserveCapacity(256)
        line.append(contentsOf: #"{"timestamp":""#.utf8)
        LogTimestamp.now(utc: true).appendRFC3339(to: &line)
        line.append(contentsOf: #"","level":""#.utf8)
        line.append(contentsOf: event.level.rawValue.utf8)
        line.append(contentsOf: #"","logger":"#.utf8)
        JSONLineEncoding.appendString(label, to: &line)
        line.append(contentsOf: #","message":"#.utf8)
        JSONLineEncoding.appendString(event.message.description, limit: LogStringEscaping.messageLimit, to: &line)
        line.append(contentsOf: #","metadata":"#.utf8)
        JSONLineEncoding.appendObject(merged, to: &line)
        if event.level <= .debug {
            line.append(contentsOf: #","source":"#.utf8)
            JSONLineEncoding.appendString(event.source, to: &line)
            line.append(contentsOf: #","file":"#.utf8)
            JSONLineEncoding.appendString(event.file, to: &line)
            line.append(contentsOf: #","line":"#.utf8)
            line.append(contentsOf: String(event.line).utf8)
        }
        line.append(contentsOf: "}\n".utf8)
        writer.write(line: line)
    }
}
