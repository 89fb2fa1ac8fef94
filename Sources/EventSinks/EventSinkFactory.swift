import Logging
import ProcessingCore

/// Builds the store `SINK` names.
public enum EventSinkFactory {
    /// The sink for `configuration`, or nil for `SINK=log` (no store: events are only logged).
    public static func makeSink(_ configuration: SinkConfiguration, logger: Logger) -> (any EventSink)? {
        switch configuration.kind {
        case .log:
            return nil
        case .postgres:
            // The configuration guarantees a URL for SINK=postgres.
            guard let url = configuration.databaseURL else { preconditionFailure("SINK=postgres without DATABASE_URL") }
            return PostgresEventSink(url: url, table: configuration.table, logger: logger)
        case .sqlite:
            return SQLiteEventSink(path: configuration.sqlitePath, table: configuration.table, logger: logger)
        case .files:
            return FileEventSink(directory: configuration.filesDirectory, logger: logger)
        }
    }
}
