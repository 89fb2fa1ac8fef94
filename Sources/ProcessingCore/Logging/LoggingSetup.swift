import Logging
import Synchronization

/// Installs the service's log handlers.
public enum LoggingSetup {
    /// The label of the service's main logger, printed in every text line as the original service did.
    public static let serviceLoggerLabel = "ProcessingService"

    private static let bootstrapped = Atomic<Bool>(false)

    /// Makes every `Logger` created from now on write `format` lines at `level` and above to standard
    /// output. `LoggingSystem.bootstrap` may only run once per process (a second call crashes), so only
    /// the first call here installs handlers; later calls return `false` and change nothing.
    /// - Parameter metadataProvider: contextual metadata (e.g. from task locals) added to every line.
    @discardableResult
    public static func bootstrap(
        format: LogFormat,
        level: Logger.Level,
        metadataProvider: Logger.MetadataProvider? = nil
    ) -> Bool {
        guard bootstrapped.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return false }
        LoggingSystem.bootstrap(
            { label, metadataProvider in
                makeHandler(label: label, format: format, level: level, metadataProvider: metadataProvider)
            },
            metadataProvider: metadataProvider
        )
        return true
    }

    /// A handler of the given format, without touching the global logging system: for tests
    /// (`Logger(label:factory:)`) and for tools that log elsewhere.
    public static func makeHandler(
        label: String,
        format: LogFormat,
        level: Logger.Level,
        writer: any LogLineWriter = FileDescriptorLogWriter.standardOutput,
        metadataProvider: Logger.MetadataProvider? = nil
    ) -> any LogHandler {
        switch format {
        case .json:
            JSONLogHandler(label: label, level: level, writer: writer, metadataProvider: metadataProvider)
        case .text:
            TextLogHandler(label: label, level: level, writer: writer, metadataProvider: metadataProvider)
        }
    }

    /// A logger writing `format` lines to `writer`, independent of the global bootstrap.
    public static func makeLogger(
        label: String = serviceLoggerLabel,
        format: LogFormat,
        level: Logger.Level,
        writer: any LogLineWriter
    ) -> Logger {
        Logger(label: label) { label in
            makeHandler(label: label, format: format, level: level, writer: writer)
        }
    }
}
