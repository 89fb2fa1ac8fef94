import Logging

/// Where processed events are stored (`SINK` and the settings of each store), and how they are batched.
public struct SinkConfiguration: Sendable, Equatable {
    /// `SINK`: the store.
    public enum Kind: String, Sendable, CaseIterable {
        /// One info line per event, nothing stored (the default; the service's behaviour before sinks).
        case log
        /// PostgreSQL at `DATABASE_URL`.
        case postgres
        /// The SQLite database file `SQLITE_PATH`.
        case sqlite
        /// One JSON file per event under `FILES_DIR`.
        case files
    }

    public var kind: Kind
    /// `DATABASE_URL`; required when `kind` is `postgres`.
    public var databaseURL: DatabaseURL?
    /// `SQLITE_PATH`. Default `./events.sqlite`.
    public var sqlitePath: String
    /// `FILES_DIR`. Default `./events`.
    public var filesDirectory: String
    /// `SINK_TABLE`: the table of the SQL stores. Default `events`.
    public var table: String
    /// `SINK_BATCH_SIZE` (default 1000) and `SINK_BATCH_TIMEOUT` (default 200 ms).
    public var batchSize: Int
    public var batchTimeout: Duration

    public static let defaults = SinkConfiguration(
        kind: .log, databaseURL: nil, sqlitePath: "./events.sqlite", filesDirectory: "./events", table: "events",
        batchSize: 1000, batchTimeout: .milliseconds(200))

    public init(
        kind: Kind, databaseURL: DatabaseURL?, sqlitePath: String, filesDirectory: String, table: String,
        batchSize: Int, batchTimeout: Duration
    ) {
        self.kind = kind
        self.databaseURL = databaseURL
        self.sqlitePath = sqlitePath
        self.filesDirectory = filesDirectory
        self.table = table
        self.batchSize = batchSize
        self.batchTimeout = batchTimeout
    }

    /// The batching settings for the sink stage, with its default retry policies.
    public var batchSettings: SinkBatchSettings {
        SinkBatchSettings(batchSize: batchSize, batchTimeout: batchTimeout)
    }

    /// The longest `SINK_TABLE` accepted: PostgreSQL's identifier limit (63 bytes) less the suffixes of the
    /// names derived from it (`_event_type_idx`, `_schema_migrations`, ...).
    public static let maximumTableNameLength = 40

    /// The settings for the start-up line: `sink`, and for a store its location and batching. The
    /// database URL without its password.
    public var logMetadata: Logger.Metadata {
        var metadata: Logger.Metadata = ["sink": .string(kind.rawValue)]
        switch kind {
        case .log: return metadata
        case .postgres: metadata["database_url"] = .string(databaseURL?.description ?? "")
        case .sqlite: metadata["sqlite_path"] = .string(sqlitePath)
        case .files: metadata["files_dir"] = .string(filesDirectory)
        }
        if kind != .files { metadata["sink_table"] = .string(table) }
        metadata["sink_batch_size"] = .stringConvertible(batchSize)
        metadata["sink_batch_timeout_seconds"] = .stringConvertible(batchTimeout.inSeconds)
        return metadata
    }

    /// Reads and checks the sink settings; problems are reported to `settings`, each naming its variable.
    static func load(settings: inout LayeredSettings) -> SinkConfiguration {
        let defaults = SinkConfiguration.defaults
        let kind = settings.choice(
            "SINK", default: defaults.kind, accepted: Kind.allCases.map(\.rawValue).joined(separator: ", "),
            parse: { Kind(rawValue: $0.lowercased()) })
        var databaseURL: DatabaseURL?
        if let text = settings.text("DATABASE_URL") {
            do throws(DatabaseURLError) {
                databaseURL = try DatabaseURL(parsing: text)
            } catch {
                // The value itself is not echoed: it may hold a password.
                settings.report("DATABASE_URL", "\(error.problem)")
            }
        } else if kind == .postgres {
            settings.report("DATABASE_URL", "is required when SINK=postgres (postgres://user:password@host:port/database)")
        }
        let table = settings.string("SINK_TABLE", default: defaults.table)
        if !isPlainIdentifier(table) {
            settings.report(
                "SINK_TABLE",
                "\"\(table)\" is not a plain table name (a letter or _, then letters, digits or _, at most \(maximumTableNameLength))")
        }
        let batchSize = settings.integer("SINK_BATCH_SIZE", default: defaults.batchSize, minimum: 1)
        if batchSize > 100_000 {
            settings.report("SINK_BATCH_SIZE", "\(batchSize) is too large (at most 100000)")
        }
        return SinkConfiguration(
            kind: kind, databaseURL: databaseURL,
            sqlitePath: settings.string("SQLITE_PATH", default: defaults.sqlitePath),
            filesDirectory: settings.string("FILES_DIR", default: defaults.filesDirectory),
            table: table, batchSize: min(batchSize, 100_000),
            batchTimeout: settings.duration("SINK_BATCH_TIMEOUT", default: defaults.batchTimeout, allowZero: false))
    }

    /// ASCII letters, digits and `_`, not starting with a digit: safe to put into SQL unquoted (it is
    /// quoted anyway) and the same name in PostgreSQL and SQLite (no case folding surprises: lower case only).
    static func isPlainIdentifier(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= maximumTableNameLength else { return false }
        guard first == UInt8(ascii: "_") || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) else { return false }
        return name.utf8.allSatisfy { byte in
            byte == UInt8(ascii: "_") || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
    }
}
