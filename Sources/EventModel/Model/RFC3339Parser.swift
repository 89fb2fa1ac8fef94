/// Parses RFC 3339 `date-time` values (section 5.6) from UTF-8 bytes.
///
/// Accepted, exactly: `YYYY-MM-DD` `T` `hh:mm:ss` [`.` one or more digits] (`Z` | `+hh:mm` | `-hh:mm`), where
/// `T` and `Z` may be lower case (RFC 3339 5.6, NOTE), month 01-12, day 01 to the month's length (February 29
/// only in leap years), hour 00-23, minute 00-59, second 00-60, offset hour 00-23 and minute 00-59.
///
/// Deliberate choices:
/// - A leap second (`:60`) is accepted in any minute and counted as the first second of the next minute,
///   as POSIX time does; RFC 3339 leaves checking it against the leap-second table to the application.
/// - Fractions may have any number of digits; digits beyond nanoseconds are truncated, not rounded.
/// - A space instead of `T`, missing seconds, `+hhmm` offsets and other ISO 8601 forms are rejected: they
///   are not RFC 3339 `date-time`.
enum RFC3339Parser {
    static func parse(_ bytes: UnsafeRawBufferPointer) -> EventTimestamp? {
        // Shortest valid form: "2024-01-15T10:30:45Z" (20 bytes).
        let count = bytes.count
        guard count >= 20 else { return nil }
        guard let year = digits(bytes, 0, 4),
            bytes[4] == UInt8(ascii: "-"),
            let month = digits(bytes, 5, 2),
            bytes[7] == UInt8(ascii: "-"),
            let day = digits(bytes, 8, 2),
            bytes[10] | 0x20 == UInt8(ascii: "t"),
            let hour = digits(bytes, 11, 2),
            bytes[13] == UInt8(ascii: ":"),
            let minute = digits(bytes, 14, 2),
            bytes[16] == UInt8(ascii: ":"),
            let second = digits(bytes, 17, 2)
        else { return nil }
        guard month >= 1, month <= 12,
            day >= 1, day <= CivilDate.daysInMonth(month, year: Int64(year)),
            hour <= 23, minute <= 59, second <= 60
        else { return nil }

        var index = 19
        var nanoseconds: UInt32 = 0
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            let fractionStart = index
            var scale: UInt32 = 100_000_000
            while index < count, case let digit = bytes[index] &- UInt8(ascii: "0"), digit < 10 {
                nanoseconds &+= UInt32(digit) &* scale
                scale /= 10
                index += 1
            }
            guard index > fractionStart else { return nil }
        }
        guard index < count else { return nil }

        var offsetSeconds: Int32 = 0
        let designator = bytes[index]
        if designator | 0x20 == UInt8(ascii: "z") {
            index += 1
        } else if designator == UInt8(ascii: "+") || designator == UInt8(ascii: "-") {
            guard count - index >= 6,
                let offsetHour = digits(bytes, index + 1, 2),
                bytes[index + 3] == UInt8(ascii: ":"),
                let offsetMinute = digits(bytes, index + 4, 2),
                offsetHour <= 23, offsetMinute <= 59
            else { return nil }
            offsetSeconds = Int32(offsetHour * 3600 + offsetMinute * 60)
            if designator == UInt8(ascii: "-") { offsetSeconds = -offsetSeconds }
            index += 6
        } else {
            return nil
        }
        guard index == count else { return nil }

        let days = CivilDate(year: Int64(year), month: month, day: day).daysSinceEpoch
        let localSeconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        return EventTimestamp(
            secondsSinceEpoch: localSeconds - Int64(offsetSeconds),
            nanoseconds: nanoseconds,
            utcOffsetSeconds: offsetSeconds
        )
    }

    /// The decimal value of `length` ASCII digits at `start`, or nil if any byte is not a digit.
    /// Callers guarantee `start + length <= bytes.count`.
    @inline(__always)
    private static func digits(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ length: Int) -> Int? {
        var value = 0
        for index in start..<(start + length) {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value &* 10 &+ Int(digit)
        }
        return value
    }
}
