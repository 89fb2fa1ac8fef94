import Logging

/// A swift-log handler that formats each event as one line with `Layout` and hands it to a
/// `LogLineWriter`: the plumbing every `LOG_FORMAT` shares (level, handler metadata, metadata provider,
/// merging them as swift-log specifies), so that a format only says how a line looks
/// (`JSONLogHandler`, `TextLogHandler`).
///
/// Level filtering happens in `Logger` before `log(event:)` is called (the message is not even
/// rendered), so nothing here runs for filtered levels.
public struct LineLogHandler<Layout: LogLineLayout>: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    private let label: String
    private let writer: any LogLineWriter

    /// - Parameters:
    ///   - label: the logger's label (`ProcessingService`), which the layout writes into each line.
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
        line.reserveCapacity(Layout.typicalLineLength)
        Layout.appendLine(for: event, label: label, metadata: merged, to: &line)
        writer.write(line: line)
    }
}
