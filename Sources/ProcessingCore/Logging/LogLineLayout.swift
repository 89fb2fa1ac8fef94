import Logging

/// How one log line of a `LOG_FORMAT` looks; `LineLogHandler` does the rest (levels, metadata, writing).
///
/// A layout is a type with static members only: a handler is copied whenever its logger's metadata
/// changes, and a layout holds no state worth copying.
public protocol LogLineLayout: Sendable {
    /// The bytes reserved for a line before it is written: enough for most lines, so that the line's
    /// buffer is allocated once.
    static var typicalLineLength: Int { get }

    /// Appends the complete line for `event`, ending in `\n`.
    /// - Parameters:
    ///   - label: the logger's label.
    ///   - metadata: the merged metadata of the line (handler, provider and call, see `LogEventMetadata`);
    ///     use it rather than `event.metadata`.
    static func appendLine(for event: LogEvent, label: String, metadata: Logger.Metadata, to line: inout [UInt8])
}
