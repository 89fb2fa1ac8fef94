#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An RFC 3339 timestamp as it appeared in an event: the instant (whole seconds since the Unix epoch plus
/// nanoseconds) and the UTC offset it was written with.
///
/// Stored as integers rather than `Date` because `Date` is a `Double` of seconds since 2001, which cannot hold
/// nanoseconds exactly for present-day instants; `date` converts when a `Date` is wanted.
///
/// Parsing is hand-written (``init(rfc3339:)``) rather than `ISO8601DateFormatter` (~8k parses/s on Linux) or
/// `Date.ISO8601FormatStyle` (~550k/s): the decoder parses one timestamp per event and must sustain well over
/// 1M events/s on one core.
public struct EventTimestamp: Sendable, Hashable, CustomStringConvertible {
    /// Whole seconds since 1970-01-01T00:00:00Z of the instant (floor, so `nanoseconds` is always added).
    public var secondsSinceEpoch: Int64
    /// Sub-second part of the instant, 0..<1_000_000_000. Fractions finer than nanoseconds are truncated.
    public var nanoseconds: UInt32
    /// The offset from UTC the timestamp was written with, in seconds (`Z` and `-00:00` are 0).
    public var utcOffsetSeconds: Int32

    /// Creates a timestamp from its parts. `nanoseconds` must be below one billion.
    public init(secondsSinceEpoch: Int64, nanoseconds: UInt32 = 0, utcOffsetSeconds: Int32 = 0) {
        precondition(nanoseconds < 1_000_000_000, "nanoseconds must be below one second")
        self.secondsSinceEpoch = secondsSinceEpoch
        self.nanoseconds = nanoseconds
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    /// Parses an RFC 3339 `date-time`, e.g. `2024-01-15T10:30:45Z`, `2024-01-15T10:30:45.123456+01:00`.
    /// Returns nil for anything else; see ``RFC3339Parser`` for the exact grammar accepted.
    public init?(rfc3339 text: String) {
        var text = text
        guard let parsed = text.withUTF8({ RFC3339Parser.parse(UnsafeRawBufferPointer($0)) }) else { return nil }
        self = parsed
    }

    /// The instant as a `Date` (precision limited to what a `Double` holds, about a microsecond today).
    public var date: Date {
        Date(timeIntervalSince1970: Double(secondsSinceEpoch) + Double(nanoseconds) / 1_000_000_000)
    }

    /// The timestamp in RFC 3339 form with its original UTC offset, fraction trimmed of trailing zeros
    /// (Go's `RFC3339Nano` layout), e.g. `2024-01-15T10:30:45.12Z`.
    public var description: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(35)
        appendRFC3339(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the RFC 3339 form (see ``description``) as UTF-8 to `bytes`.
    public func appendRFC3339(to bytes: inout [UInt8]) {
        let local = secondsSinceEpoch + Int64(utcOffsetSeconds)
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let secondOfDay = Int(local - days * 86_400)
        let civil = CivilDate(daysSinceEpoch: days)
        appendDigits(civil.year, count: 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(Int64(civil.month), count: 2, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(Int64(civil.day), count: 2, to: &bytes)
        bytes.append(UInt8(ascii: "T"))
        appendDigits(Int64(secondOfDay / 3600), count: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(Int64(secondOfDay / 60 % 60), count: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(Int64(secondOfDay % 60), count: 2, to: &bytes)
        if nanoseconds != 0 {
            var fraction = nanoseconds
            var digits = 9
            while fraction % 10 == 0 {
                fraction /= 10
                digits -= 1
            }
            bytes.append(UInt8(ascii: "."))
            appendDigits(Int64(fraction), count: digits, to: &bytes)
        }
        if utcOffsetSeconds == 0 {
            bytes.append(UInt8(ascii: "Z"))
        } else {
            bytes.append(utcOffsetSeconds < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            let minutes = Int64(abs(utcOffsetSeconds) / 60)
            appendDigits(minutes / 60, count: 2, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            appendDigits(minutes % 60, count: 2, to: &bytes)
        }
    }

    private func appendDigits(_ value: Int64, count: Int, to bytes: inout [UInt8]) {
        var divisor: Int64 = 1
        for _ in 1..<count { divisor *= 10 }
        var remaining = value
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: remaining / divisor % 10))
            remaining %= divisor
            divisor /= 10
        }
    }
}
