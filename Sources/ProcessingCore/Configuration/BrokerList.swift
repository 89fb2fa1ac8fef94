/// `KAFKA_BROKERS` / `--brokers`: a comma-separated list of `host:port` entries, checked before anything
/// connects.
///
/// librdkafka accepts almost anything here (`,,,` included) and only fails later, retrying against
/// nothing; and a value such as `user:password@kafka:9092` would be echoed in the start-up line and in
/// connection errors. So each entry must be `host:port` — a host name or IPv4 address (letters, digits,
/// `.`, `-`, `_`) or a bracketed IPv6 address (`[::1]:9092`), and a port from 1 to 65535 — and problems
/// name the entry by its position, never by its text: an invalid entry may hold a credential.
enum BrokerList {
    /// The list with each entry trimmed, or the list unchanged after reporting why it is invalid.
    static func validated(_ text: String, variable: String, settings: inout LayeredSettings) -> String {
        let entries = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { Substring($0).trimmingWhitespace() }
        guard entries.contains(where: { !$0.isEmpty }) else {
            settings.report(variable, "contains no broker (expected comma-separated host:port, e.g. kafka-1:9092,kafka-2:9092)")
            return text
        }
        var valid = true
        for (index, entry) in entries.enumerated() {
            guard let problem = problem(with: entry) else { continue }
            let position = entries.count == 1 ? "the entry" : "entry \(index + 1) of \(entries.count)"
            settings.report(variable, "\(position) \(problem) (expected comma-separated host:port; entries are not shown, they may hold credentials)")
            valid = false
        }
        return valid ? entries.joined(separator: ",") : text
    }

    /// What is wrong with one trimmed entry, or `nil` when it is a valid `host:port`.
    static func problem(with entry: Substring) -> String? {
        if entry.isEmpty { return "is empty" }
        if entry.contains("@") {
            return "contains '@': credentials do not belong in the broker list (use KAFKA_CFG_SASL_USERNAME and KAFKA_CFG_SASL_PASSWORD)"
        }
        if entry.contains("/") { return "is a URL or path, not host:port" }
        let host: Substring
        let port: Substring
        if entry.hasPrefix("[") {
            guard let close = entry.firstIndex(of: "]") else { return "has an unclosed '[' (IPv6 addresses are written [::1]:9092)" }
            host = entry[entry.index(after: entry.startIndex)..<close]
            let rest = entry[entry.index(after: close)...]
            guard rest.hasPrefix(":") else { return "has no port (host:port, e.g. [::1]:9092)" }
            port = rest.dropFirst()
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                return "has an invalid IPv6 address in brackets"
            }
        } else {
            guard let colon = entry.lastIndex(of: ":") else { return "has no port (host:port, e.g. kafka:9092)" }
            host = entry[..<colon]
            port = entry[entry.index(after: colon)...]
            if host.contains(":") { return "has more than one ':' (IPv6 addresses are written [::1]:9092)" }
            guard !host.isEmpty else { return "has no host (host:port, e.g. kafka:9092)" }
            let hostIsValid = host.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"):
                    true
                default:
                    false
                }
            }
            guard hostIsValid else { return "has a host with characters other than letters, digits, '.', '-' and '_'" }
        }
        guard !port.isEmpty, port.utf8.count <= 5, port.allSatisfy(\.isASCIIDigit), let number = Int(port), (1...65535).contains(number)
        else { return "has no valid port (a number from 1 to 65535)" }
        return nil
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
