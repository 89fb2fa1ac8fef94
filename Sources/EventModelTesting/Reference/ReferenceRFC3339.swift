import EventModel
/// The reference decoder's RFC 3339 parser: deliberately written differently from `RFC3339Parser`
/// (string slicing, `Int` parsing, year-by-year day counting) so differential tests compare two independent
/// implementations of the same grammar rather than one implementation with itself.
enum ReferenceRFC3339 {
    static func parse(_ text: String) -> EventTimestamp? {
        let characters = Array(text.unicodeScalars)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= characters.count,
                characters[range].allSatisfy({ $0.value >= 48 && $0.value <= 57 })
            else { return nil }
            return Int(String(String.UnicodeScalarView(characters[range])))
        }
        func character(_ index: Int) -> Character? {
            index < characters.count ? Character(characters[index]) : nil
        }
        guard let year = number(0..<4), character(4) == "-", let month = number(5..<7), character(7) == "-",
            let day = number(8..<10), character(10) == "T" || character(10) == "t",
            let hour = number(11..<13), character(13) == ":", let minute = number(14..<16), character(16) == ":",
            let second = number(17..<19)
        else { return nil }
        var index = 19
        var fractionDigits = ""
        if character(index) == "." {
            index += 1
            while let c = character(index), c.isASCII, c.isNumber {
                fractionDigits.append(c)
                index += 1
            }
            guard !fractionDigits.isEmpty else { return nil }
        }
        var offsetMinutes = 0
        switch character(index) {
        case "Z", "z":
            index += 1
        case "+", "-":
            guard let offsetHour = number(index + 1..<index + 3), character(index + 3) == ":",
                let offsetMinute = number(index + 4..<index + 6), offsetHour < 24, offsetMinute < 60
            else { return nil }
            offsetMinutes = (offsetHour * 60 + offsetMinute) * (character(index) == "-" ? -1 : 1)
            index += 6
        default:
            return nil
        }
        guard index == characters.count else { return nil }

        let isLeap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let monthLengths = [31, isLeap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...12).contains(month), day >= 1, day <= monthLengths[month - 1], hour < 24, minute < 60,
            second <= 60
        else { return nil }

        var days = 0
        if year >= 1970 {
            for y in 1970..<year { days += isLeapYear(y) ? 366 : 365 }
        } else {
            for y in year..<1970 { days -= isLeapYear(y) ? 366 : 365 }
        }
        days += monthLengths[0..<(month - 1)].reduce(0, +) + day - 1
        let local = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        let paddedFraction = fractionDigits.prefix(9) + String(repeating: "0", count: max(0, 9 - fractionDigits.count))
        guard let nanos = UInt32(paddedFraction) else { return nil }
        return EventTimestamp(
            secondsSinceEpoch: local - Int64(offsetMinutes * 60), nanoseconds: nanos,
            utcOffsetSeconds: Int32(offsetMinutes * 60))
    }

    private static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }
}
