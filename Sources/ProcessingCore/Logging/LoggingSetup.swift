#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import Synchronization

/// Installs the service's log handlers.
public enum LoggingSetup {
    /// The label of the service's main logger, printed in every text line as the original service did.
    public static let serviceLoggerLabel = "ProcessingService"

    private static let bootstrapped = Atomic<Bool>(false)

    /// The writer `bootstrap` installed, for the flush at exit.
    private static let installedWriter = Mutex<NonBlockingLogWriter?>(nil)

    /// How long the process's exit waits for buffered log lines to be written. Only a log reader that
    /// stopped reading makes it wait that long; a live one takes the whole buffer (1 MiB) in far less.
    public static let exitFlushTimeout: Duration = .seconds(1)

    /// Makes every `Logger` created from now on write `format` lines at `level` and above to standard
    /// output, through a `NonBlockingLogWriter`: logging never waits for the log reader; when it falls
    /// more than `bufferSize` bytes behind, lines are dropped and a later `N log lines dropped` warning
    /// says how many. At exit (`exit`, or returning from `main`) buffered lines get up to
    /// ``exitFlushTimeout`` to go out. With `bufferSize` 0 there is no buffer: each line is written by the
    /// thread that logs it (`FileDescriptorLogWriter`), so none is dropped or lost when the process is
    /// killed, at the price of waiting for a slow reader (`LOG_BUFFER_SIZE=0`).
    ///
    /// `LoggingSystem.bootstrap` may only run once per process (a second call crashes), so only the first
    /// call here installs handlers; later calls return `false` and change nothing.
    /// - Parameter metadataProvider: contextual metadata (e.g. from task locals) added to every line.
    @discardableResult
    public static func bootstrap(
        format: LogFormat,
        level: Logger.Level,
        bufferSize: Int = NonBlockingLogWriter.defaultCapacity,
        metadataProvider: Logger.MetadataProvider? = nil
    ) -> Bool {
        guard bootstrapped.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return false }
        let writer: any LogLineWriter
        if bufferSize > 0 {
            let buffered = NonBlockingLogWriter(
                fileDescriptor: 1, capacity: bufferSize, droppedLine: droppedLineRenderer(format: format)
            )
            installedWriter.withLock { $0 = buffered }
            atexit { LoggingSetup.flushInstalledWriter() }
            writer = buffered
        } else {
            writer = FileDescriptorLogWriter.standardOutput
        }
        LoggingSystem.bootstrap(
            { label, metadataProvider in
                makeHandler(label: label, format: format, level: level, writer: writer, metadataProvider: metadataProvider)
            },
            metadataProvider: metadataProvider
        )
        return true
    }

    /// Waits (at most ``exitFlushTimeout``) until the lines logged so far are written; run at exit.
    private static func flushInstalledWriter() {
        installedWriter.withLock { $0 }?.flush(timeout: exitFlushTimeout)
    }

    /// The `N log lines dropped` warning as a complete line of `format`, from the service's logger.
    public static func droppedLineRenderer(format: LogFormat) -> @Sendable (Int) -> [UInt8] {
        { count in
            let capture = CapturingLogWriter()
            let logger = makeLogger(format: format, level: .warning, writer: capture)
            logger.warning(
                "\(count) log lines dropped",
                metadata: ["dropped_lines": "\(count)", "reason": "the log reader did not keep up"]
            )
            return capture.rawLines.first ?? NonBlockingLogWriter.plainDroppedLine(count)
        }
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
