#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EventModel

/// Where the file sink puts an event: `<root>/YYYY/MM/DD/<event_id>.json`, the date being the event's
/// `timestamp` in UTC.
struct EventFileLayout {
    let root: String

    /// Where files are written before they are linked to their names (same file system as `root`).
    var incoming: String { "\(root)/.incoming" }

    /// The day directory of `timestamp`, e.g. `<root>/2024/01/15`.
    func directory(for timestamp: EventTimestamp) -> String {
        var seconds = time_t(timestamp.secondsSinceEpoch)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return "\(root)/\(Self.digits(Int(parts.tm_year) + 1900, 4))/\(Self.digits(Int(parts.tm_mon) + 1, 2))/\(Self.digits(Int(parts.tm_mday), 2))"
    }

    /// Why `eventID` cannot be a file name, or nil when it can: 1–200 of `A-Z a-z 0-9 . _ -`, not starting
    /// with `.`. Anything else — a `/`, `..`, a NUL, spaces — could escape the directory or collide after
    /// normalisation, so such an event is rejected (and dead-lettered) rather than written.
    static func problem(withFileName eventID: String) -> String? {
        guard !eventID.isEmpty, eventID.utf8.count <= 200 else {
            return "event_id must be 1 to 200 characters to be a file name"
        }
        guard eventID.utf8.first != UInt8(ascii: ".") else { return "event_id must not start with '.' to be a file name" }
        let safe = eventID.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                true
            default: false
            }
        }
        return safe ? nil : "event_id holds characters other than letters, digits, '.', '_' and '-', so it cannot be a file name"
    }

    private static func digits(_ value: Int, _ count: Int) -> String {
        let text = String(value)
        return text.count >= count ? text : String(repeating: "0", count: count - text.count) + text
    }
}
