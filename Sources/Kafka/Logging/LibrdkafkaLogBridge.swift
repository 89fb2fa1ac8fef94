import CRdKafka
import Logging

/// Forwards librdkafka's log lines into swift-log.
///
/// librdkafka calls its `log_cb` from its own internal threads (we do not set `log.queue`), possibly
/// while `rd_kafka_new` or `rd_kafka_destroy` is still running. The bridge therefore holds only a
/// `Logger` (which is `Sendable`) and no mutable state.
package struct LibrdkafkaLogBridge: Sendable {
    package let logger: Logger

    package init(logger: Logger) {
        self.logger = logger
    }

    /// Maps a syslog severity (0 emergency ... 7 debug), which librdkafka uses, to a swift-log level.
    package static func level(forSyslogLevel syslogLevel: Int32) -> Logger.Level {
        switch syslogLevel {
        case ...2: return .critical  // emergency, alert, critical
        case 3: return .error
        case 4: return .warning
        case 5: return .notice
        case 6: return .info
        default: return .debug
        }
    }

    /// Emits one librdkafka log line, as handed to a `log_cb`: `facility` is librdkafka's subsystem tag
    /// (e.g. `FAIL`, `CGRPSTATE`), the line carries the instance name (`rdkafka#consumer-1`). The level is
    /// checked before any C string is copied, so suppressed debug lines cost next to nothing.
    package func log(
        client: OpaquePointer, syslogLevel: Int32, facility: UnsafePointer<CChar>?, message: UnsafePointer<CChar>?
    ) {
        let level = Self.level(forSyslogLevel: syslogLevel)
        guard logger.logLevel <= level else { return }
        logger.log(
            level: level,
            "\(message.map { String(cString: $0) } ?? "")",
            metadata: [
                "librdkafka.facility": "\(facility.map { String(cString: $0) } ?? "")",
                "librdkafka.client": "\(String(cString: rd_kafka_name(client)))",
            ],
            source: "librdkafka"
        )
    }

    /// Applies `log_level` to the native configuration so librdkafka does not even format lines that
    /// swift-log would drop, unless the user configured `log_level` explicitly.
    package static func syslogLevel(for level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }
}
