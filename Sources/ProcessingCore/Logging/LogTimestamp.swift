#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A wall-clock instant broken into calendar fields, written straight into a line's bytes.
///
/// Formatting by hand from `clock_gettime` + `gmtime_r`/`localtime_r`: Foundation's date formatters cost
/// microseconds per call and allocate, which adds up when every processed event logs a line.
struct LogTimestamp {
    var year: Int32
    var month: Int32
    var day: Int32
    var hour: Int32
    var minute: Int32
    var second: Int32
    var millisecond: Int32

    /// Now, in UTC (`utc: true`) or in the local time zone.
    static func now(utc: Bool) -> LogTimestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return LogTimestamp(secondsSinceEpoch: spec.tv_sec, nanoseconds: Int(spec.tv_nsec), utc: utc)
    }

    init(secondsSinceEpoch: time_t, nanoseconds: Int, utc: Bool) {
        var seconds = secondsSinceEpoch
        var fields = tm()
        if utc {
            gmtime_r(&seconds, &fields)
        } else {
            localtime_r(&seconds, &fields)
        }
        year = fields.tm_year + 1900
        month = fields.tm_mon + 1
        day = fields.tm_mday
        hour = fields.tm_hour
        minute = fields.tm_min
        second = fields.tm_sec
        millisecond = Int32(nanoseconds / 1_000_000)
    }

    /// RFC 3339 in UTC with milliseconds: `2024-01-15T10:30:45.123Z`.
    func appendRFC3339(to bytes: inout [UInt8]) {
        appendDate(to: &bytes)
        bytes.append(UInt8(ascii: "T"))
        appendTime(to: &bytes)
        bytes.append(UInt8(ascii: "."))
        Self.appendDigits(millisecond, count: 3, to: &bytes)
        bytes.append(UInt8(ascii: "Z"))
    }

    /// The original service's form: `2024-01-15 10:30:45`.
    func appendSeedForm(to bytes: inout [UInt8]) {
        appendDate(to: &bytes)
        bytes.append(UInt8(ascii: " "))
        appendTime(to: &bytes)
    }

    private func appendDate(to bytes: inout [UInt8]) {
        Self.appendDigits(year, count: 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        Self.appendDigits(month, count: 2, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        Self.appendDigits(day, count: 2, to: &bytes)
    }

    private func appendTime(to bytes: inout [UInt8]) {
        Self.appendDigits(hour, count: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        Self.appendDigits(minute, count: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        Self.appendDigits(second, count: 2, to: &bytes)
    }

    /// Appends `value` zero-padded to exactly `count` digits (higher digits are cut off).
    private static func appendDigits(_ value: Int32, count: Int, to bytes: inout [UInt8]) {
        var divisor: Int32 = 1
        for _ in 1..<count { divisor *= 10 }
        var remaining = max(0, value)
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8((remaining / divisor) % 10))
            remaining %= divisor
            divisor /= 10
        }
    }
}
