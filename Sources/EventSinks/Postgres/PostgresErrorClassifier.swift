import PostgresNIO
import ProcessingCore

/// Sorts what postgres-nio throws into the two kinds an ``EventSink`` reports, by SQLSTATE class
/// (PostgreSQL manual, appendix A):
///
/// - `22` data exception (a NUL byte in text, an invalid JSON escape, a timestamp out of range), `23`
///   integrity constraint violation (a CHECK constraint, NOT NULL), `54` program limit exceeded (an index
///   row too large): the rows themselves are the problem → rejected, and retrying cannot help.
/// - Everything else — connection errors, `57P01` admin shutdown, `53100` disk full, `40001`
///   serialization failure, `42P01` a table dropped under us, `28P01` a bad password — is about the
///   server, not the rows → unavailable: the batch waits and is written again (on a new connection,
///   which recreates the schema if needed).
///
/// Messages are built from the server's fields (SQLSTATE, message, detail), never from `String(reflecting:)`,
/// which would include the query. No query here has bind parameters, so nothing else could leak.
enum PostgresErrorClassifier {
    static let uniqueViolation = "23505"

    static func classify(_ error: any Error) -> EventSinkError {
        guard let error = error as? PSQLError else {
            if error is CancellationError { return .unavailable("cancelled") }
            return .unavailable("\(error)")
        }
        guard error.code == .server, let info = error.serverInfo else {
            return .unavailable(describeClientSide(error))
        }
        let state = info[.sqlState] ?? ""
        let message = serverMessage(info)
        if state.hasPrefix("22") || state.hasPrefix("23") || state.hasPrefix("54") {
            return .rejected(message, eventIndex: copyLine(info).map { $0 - 1 })
        }
        return .unavailable(message)
    }

    /// The SQLSTATE of a server error, if it is one.
    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// `ERROR 22021: invalid byte sequence for encoding "UTF8": 0x00 (detail)`.
    static func serverMessage(_ info: PSQLError.ServerInfo) -> String {
        var text = "\(info[.severity] ?? "ERROR") \(info[.sqlState] ?? "?????"): \(info[.message] ?? "no message")"
        if let detail = info[.detail] { text += " (\(detail))" }
        return text
    }

    /// The line of a failed `COPY`'s input, from the error's context (`COPY events, line 17, column ...`).
    static func copyLine(_ info: PSQLError.ServerInfo) -> Int? {
        guard let context = info[.locationContext], context.hasPrefix("COPY "),
            let range = context.range(of: ", line ")
        else { return nil }
        let digits = context[range.upperBound...].prefix(while: \.isNumber)
        return Int(digits)
    }

    private static func describeClientSide(_ error: PSQLError) -> String {
        var text = "\(error.code)"
        if let underlying = error.underlying { text += ": \(underlying)" }
        return text
    }
}
