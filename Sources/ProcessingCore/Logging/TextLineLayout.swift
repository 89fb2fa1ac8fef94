import Logging

/// A swift-log handler writing the original service's human-readable lines:
///
///     2024-01-15 10:30:45 - ProcessingService - INFO - Processing event: page_view event_id=… partition=3
///
/// The time is local (as Python's logging printed it), the level upper-case, and metadata follows as
/// ` key=value` pairs sorted by key. A value containing spaces, quotes, `=` or control characters is
/// written as a JSON string literal (`reason="not valid JSON"`), and nested dictionaries and arrays as
/// compact JSON, so each line still splits unambiguously. Control characters in the message are written
/// visibly (`\n`, `\u001b`), and the message and each value are cut to 4 KiB and 1 KiB
/// (`LogStringEscaping`): whatever a producer puts in an event, it stays on one line of bounded length.
public typealias TextLogHandler = LineLogHandler<TextLineLayout>

/// The layout of `TextLogHandler`'s lines.
public enum TextLineLayout: LogLineLayout {
    public static let typicalLineLength = 160

    public static func appendLine(for event: LogEvent, label: String, metadata: Logger.Metadata, to line: inout [UInt8]) {
        LogTimestamp.now(utc: false).appendSeedForm(to: &line)
        line.append(contentsOf: " - ".utf8)
        line.append(contentsOf: label.utf8)
        line.append(contentsOf: " - ".utf8)
        let levelName = Self.levelName(event.level)
        line.append(contentsOf: UnsafeBufferPointer(start: levelName.utf8Start, count: levelName.utf8CodeUnitCount))
        line.append(contentsOf: " - ".utf8)
        // The message often carries values from the wire ("Processing event: <event_type>"): control
        // characters written visibly, so no message can break the line or forge another one.
        LogStringEscaping.appendVisible(event.message.description, limit: LogStringEscaping.messageLimit, to: &line)
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            line.append(UInt8(ascii: " "))
            line.append(contentsOf: key.utf8)
            line.append(UInt8(ascii: "="))
            Self.appendValue(value, to: &line)
        }
        line.append(UInt8(ascii: "\n"))
    }

    /// Upper-case level names as Python's logging printed them (no per-line `uppercased()` allocation).
    private static func levelName(_ level: Logger.Level) -> StaticString {
        switch level {
        case .trace: "TRACE"
        case .debug: "DEBUG"
        case .info: "INFO"
        case .notice: "NOTICE"
        case .warning: "WARNING"
        case .error: "ERROR"
        case .critical: "CRITICAL"
        }
    }

    private static func appendValue(_ value: Logger.MetadataValue, to line: inout [UInt8]) {
        let text: String
        switch value {
        case .string(let string):
            text = string
        case .stringConvertible(let convertible):
            text = convertible.description
        case .dictionary, .array:
            // Nested values as compact JSON (`kafka_properties={"client.id":"a"}`): self-delimiting and
            // readable, where swift-log's own rendering (`["client.id": a]`) would need quoting again.
            JSONLineEncoding.appendValue(value, to: &line)
            return
        }
        if LogStringEscaping.isPlainToken(text, limit: LogStringEscaping.metadataValueLimit) {
            line.append(contentsOf: text.utf8)
        } else {
            JSONLineEncoding.appendString(text, limit: LogStringEscaping.metadataValueLimit, to: &line)
        }
    }
}
