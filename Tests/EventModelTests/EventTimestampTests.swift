import Foundation
import Testing

@testable import EventModel
@testable import EventModelTesting

@Suite struct EventTimestampTests {
    @Test(arguments: [
        ("2024-01-15T10:30:45Z", 1_705_314_645, 0, 0),
        ("2024-01-15T10:30:45.5Z", 1_705_314_645, 500_000_000, 0),
        ("2024-01-15T10:30:45.123456789Z", 1_705_314_645, 123_456_789, 0),
        ("2024-01-15T10:30:45.1234567891234Z", 1_705_314_645, 123_456_789, 0),  // truncated, not rounded
        ("2024-01-15t10:30:45z", 1_705_314_645, 0, 0),
        ("2024-01-15T11:30:45+01:00", 1_705_314_645, 0, 3600),
        ("2024-01-15T05:00:45-05:30", 1_705_314_645, 0, -19_800),
        ("2024-01-15T10:30:45-00:00", 1_705_314_645, 0, 0),
        ("1970-01-01T00:00:00Z", 0, 0, 0),
        ("1969-12-31T23:59:59.75Z", -1, 750_000_000, 0),
        ("0000-01-01T00:00:00Z", -62_167_219_200, 0, 0),
        ("9999-12-31T23:59:59Z", 253_402_300_799, 0, 0),
        ("2024-02-29T00:00:00Z", 1_709_164_800, 0, 0),  // leap day
        ("2000-02-29T00:00:00Z", 951_782_400, 0, 0),  // divisible by 400: leap
        ("2016-12-31T23:59:60Z", 1_483_228_800, 0, 0),  // leap second counts as the next second
    ])
    func parsesValidForms(text: String, seconds: Int64, nanoseconds: UInt32, offset: Int32) throws {
        let timestamp = try #require(EventTimestamp(rfc3339: text))
        #expect(timestamp.secondsSinceEpoch == seconds)
        #expect(timestamp.nanoseconds == nanoseconds)
        #expect(timestamp.utcOffsetSeconds == offset)
        #expect(ReferenceRFC3339.parse(text) == timestamp)
    }

    @Test(arguments: [
        "", "2024-01-15", "2024-01-15T10:30:45", "2024-01-15 10:30:45Z", "2024-01-15T10:30Z",
        "2024-1-15T10:30:45Z", "24-01-15T10:30:45Z", "2024-01-15T10:30:45.Z", "2024-01-15T10:30:45,5Z",
        "2024-13-01T00:00:00Z", "2024-00-10T00:00:00Z", "2024-01-00T00:00:00Z", "2024-01-32T00:00:00Z",
        "2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "2024-01-15T24:00:00Z",
        "2024-01-15T10:60:00Z", "2024-01-15T10:30:61Z", "2024-01-15T10:30:45+24:00", "2024-01-15T10:30:45+01:60",
        "2024-01-15T10:30:45+0100", "2024-01-15T10:30:45+01", "2024-01-15T10:30:45ZZ", "2024-01-15T10:30:45Z ",
        " 2024-01-15T10:30:45Z", "2024-01-15T10:30:45UTC", "+2024-01-15T10:30:45Z", "2024-01-15T1a:30:45Z",
        "２０２４-01-15T10:30:45Z", "2024-01-15T10:30:45.١Z",
    ])
    func rejectsInvalidForms(text: String) {
        #expect(EventTimestamp(rfc3339: text) == nil)
        #expect(ReferenceRFC3339.parse(text) == nil)
    }

    @Test func formatsLikeGoRFC3339NanoAndRoundTrips() throws {
        #expect(EventTimestamp(secondsSinceEpoch: 1_705_314_645).description == "2024-01-15T10:30:45Z")
        #expect(
            EventTimestamp(secondsSinceEpoch: 1_705_314_645, nanoseconds: 120_000_000).description
                == "2024-01-15T10:30:45.12Z")
        #expect(
            EventTimestamp(secondsSinceEpoch: 1_705_314_645, utcOffsetSeconds: -19_800).description
                == "2024-01-15T05:00:45-05:30")
        var random = SplitMix64(seed: 3)
        for _ in 0..<5_000 {
            let timestamp = EventTimestamp(
                secondsSinceEpoch: Int64(random.next(below: 253_402_300_800)) - 62_167_219_200 / 2,
                nanoseconds: UInt32(random.next(below: 1_000_000_000)),
                utcOffsetSeconds: Int32(random.next(below: 48) - 24) * 1800)
            let text = timestamp.description
            #expect(EventTimestamp(rfc3339: text) == timestamp, "\(text)")
            #expect(ReferenceRFC3339.parse(text) == timestamp, "\(text)")
        }
    }

    @Test func dateConversion() {
        let timestamp = EventTimestamp(secondsSinceEpoch: 1_705_314_645, nanoseconds: 250_000_000)
        #expect(timestamp.date == Date(timeIntervalSince1970: 1_705_314_645.25))
    }

    /// Every calendar day from 1899 to 2101 (leap-year rules included) agrees with the reference parser.
    @Test func everyDayAgreesWithReference() {
        for year in [1899, 1900, 1970, 1999, 2000, 2023, 2024, 2100, 2101] {
            for month in 1...12 {
                for day in 1...31 {
                    let text = String(format: "%04d-%02d-%02dT12:00:00Z", year, month, day)
                    #expect(EventTimestamp(rfc3339: text) == ReferenceRFC3339.parse(text), "\(text)")
                }
            }
        }
    }
}
