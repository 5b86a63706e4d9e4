@testable import CTRKit
import Foundation
import Testing

@Suite("IntervalBucketer")
struct IntervalBucketerTests {
    static let newYork = TimeZone(identifier: "America/New_York")!

    static func t(_ text: String) -> Int64 { Timestamp.parse(text)!.epochSeconds }

    static func start(_ interval: ReportInterval, _ zone: TimeZone, _ instant: String) -> String {
        let bucketer = IntervalBucketer(interval: interval, timeZone: zone)
        return bucketer.format(bucketer.intervalStart(t(instant)))
    }

    @Test("2024-03-10 in New York is 23 hours long; its days carry -05:00 then -04:00")
    func springForwardDay() {
        let bucketer = IntervalBucketer(interval: .day, timeZone: Self.newYork)
        let day = bucketer.intervalStart(Self.t("2024-03-10T12:00:00Z"))
        let next = bucketer.intervalStart(Self.t("2024-03-11T12:00:00Z"))
        #expect(next - day == 23 * 3600)
        #expect(bucketer.format(day) == "2024-03-10T00:00:00-05:00")
        #expect(bucketer.format(next) == "2024-03-11T00:00:00-04:00")
        #expect(bucketer.intervalStart(Self.t("2024-03-11T03:59:59Z")) == day)
        #expect(bucketer.intervalStart(Self.t("2024-03-11T04:00:00Z")) == next)
    }

    @Test("2024-11-03 in New York is 25 hours long")
    func fallBackDay() {
        let bucketer = IntervalBucketer(interval: .day, timeZone: Self.newYork)
        let day = bucketer.intervalStart(Self.t("2024-11-03T12:00:00Z"))
        let next = bucketer.intervalStart(Self.t("2024-11-04T12:00:00Z"))
        #expect(next - day == 25 * 3600)
        #expect(bucketer.format(day) == "2024-11-03T00:00:00-04:00")
        #expect(bucketer.format(next) == "2024-11-04T00:00:00-05:00")
        #expect(bucketer.intervalStart(Self.t("2024-11-04T04:59:59Z")) == day)
    }

    @Test("the repeated 01:00 hour of 2024-11-03 is two intervals with different offsets")
    func repeatedHour() {
        let bucketer = IntervalBucketer(interval: .hour, timeZone: Self.newYork)
        let first = bucketer.intervalStart(Self.t("2024-11-03T05:30:00Z"))
        let second = bucketer.intervalStart(Self.t("2024-11-03T06:30:00Z"))
        #expect(first == Self.t("2024-11-03T05:00:00Z"))
        #expect(second == Self.t("2024-11-03T06:00:00Z"))
        #expect(bucketer.format(first) == "2024-11-03T01:00:00-04:00")
        #expect(bucketer.format(second) == "2024-11-03T01:00:00-05:00")
        // and in spring 02:00 does not exist: 01:59 EST is followed by 03:00 EDT
        let spring = IntervalBucketer(interval: .hour, timeZone: Self.newYork)
        #expect(spring.format(spring.intervalStart(Self.t("2024-03-10T06:59:59Z"))) == "2024-03-10T01:00:00-05:00")
        #expect(spring.format(spring.intervalStart(Self.t("2024-03-10T07:00:00Z"))) == "2024-03-10T03:00:00-04:00")
    }

    @Test("weeks start on Monday", arguments: [
        ("2024-03-11T00:00:00Z", "2024-03-11T00:00:00+00:00"), ("2024-03-13T12:00:00Z", "2024-03-11T00:00:00+00:00"),
        ("2024-03-17T23:59:59Z", "2024-03-11T00:00:00+00:00"), ("2024-03-18T00:00:00Z", "2024-03-18T00:00:00+00:00"),
        ("2024-01-01T10:00:00Z", "2024-01-01T00:00:00+00:00"), ("2023-12-31T10:00:00Z", "2023-12-25T00:00:00+00:00"),
    ])
    func weeksUTC(instant: String, expected: String) {
        #expect(Self.start(.week, TimeZone(identifier: "UTC")!, instant) == expected)
    }

    @Test("a week across the spring change starts on the Monday, at that Monday's offset")
    func weekAcrossDST() {
        #expect(Self.start(.week, Self.newYork, "2024-03-10T12:00:00Z") == "2024-03-04T00:00:00-05:00")
        #expect(Self.start(.week, Self.newYork, "2024-03-11T12:00:00Z") == "2024-03-11T00:00:00-04:00")
        #expect(Self.start(.week, Self.newYork, "2024-03-18T03:59:59Z") == "2024-03-11T00:00:00-04:00")
        let bucketer = IntervalBucketer(interval: .week, timeZone: Self.newYork)
        #expect(bucketer.intervalStart(Self.t("2024-03-12T00:00:00Z")) - bucketer.intervalStart(Self.t("2024-03-05T00:00:00Z")) == 7 * 86_400 - 3600)
    }

    @Test("sub-hour intervals and odd offsets align to the local clock")
    func subHour() {
        let utc = TimeZone(identifier: "UTC")!
        #expect(Self.start(.minutes15, utc, "2024-03-12T10:14:59Z") == "2024-03-12T10:00:00+00:00")
        #expect(Self.start(.minutes15, utc, "2024-03-12T10:15:00Z") == "2024-03-12T10:15:00+00:00")
        #expect(Self.start(.minutes30, utc, "2024-03-12T10:59:00Z") == "2024-03-12T10:30:00+00:00")
        #expect(Self.start(.hour, TimeZone(identifier: "Asia/Kolkata")!, "2024-03-12T10:07:00Z") == "2024-03-12T15:00:00+05:30")
        #expect(Self.start(.hour, TimeZone(identifier: "Asia/Kathmandu")!, "2024-03-12T10:07:00Z") == "2024-03-12T15:00:00+05:45")
        #expect(Self.start(.day, TimeZone(identifier: "America/St_Johns")!, "2024-07-01T02:00:00Z") == "2024-06-30T00:00:00-02:30")
        #expect(Self.start(.day, TimeZone(identifier: "Pacific/Kiritimati")!, "2024-07-01T11:00:00Z") == "2024-07-02T00:00:00+14:00")
        // before 1970
        #expect(Self.start(.hour, utc, "1969-12-31T23:59:59Z") == "1969-12-31T23:00:00+00:00")
    }

    @Test("the cache per quarter hour gives the same answers as a fresh bucketer")
    func cacheIsConsistent() {
        let cached = IntervalBucketer(interval: .hour, timeZone: Self.newYork)
        var t = Self.t("2024-11-02T00:00:00Z")
        while t < Self.t("2024-11-05T00:00:00Z") {
            let fresh = IntervalBucketer(interval: .hour, timeZone: Self.newYork)
            #expect(cached.intervalStart(t) == fresh.intervalStart(t))
            #expect(cached.intervalStart(t) <= t && t - cached.intervalStart(t) < 3600)
            t += 599
        }
    }

    @Test("--from/--to: dates and times are local; Z and offsets are instants; fractions round up")
    func boundaries() {
        let ny = IntervalBucketer(interval: .day, timeZone: Self.newYork)
        #expect(ny.parseBoundary("2024-03-12") == Self.t("2024-03-12T04:00:00Z"))
        #expect(ny.parseBoundary("2024-01-12") == Self.t("2024-01-12T05:00:00Z"))
        #expect(ny.parseBoundary("2024-03-12T08:30") == Self.t("2024-03-12T12:30:00Z"))
        #expect(ny.parseBoundary("2024-03-12 08:30:15") == Self.t("2024-03-12T12:30:15Z"))
        #expect(ny.parseBoundary(" 2024-03-12T08:30:15 ") == Self.t("2024-03-12T12:30:15Z"))
        #expect(ny.parseBoundary("2024-03-12T08:30:15Z") == Self.t("2024-03-12T08:30:15Z"))
        #expect(ny.parseBoundary("2024-03-12T08:30:15+02:00") == Self.t("2024-03-12T06:30:15Z"))
        #expect(ny.parseBoundary("2024-03-12T08:30:15.000") == Self.t("2024-03-12T12:30:15Z"))
        #expect(ny.parseBoundary("2024-03-12T08:30:15.250") == Self.t("2024-03-12T12:30:16Z"))
        #expect(ny.parseBoundary("2024-03-12T08:30:15.250Z") == Self.t("2024-03-12T08:30:16Z"))
        // a repeated local time is its first occurrence; a skipped one moves forward by the gap
        #expect(ny.parseBoundary("2024-11-03T01:30") == Self.t("2024-11-03T05:30:00Z"))
        #expect(ny.parseBoundary("2024-03-10T02:30") == Self.t("2024-03-10T07:30:00Z"))
        for bad in ["", "2024", "2024-13-01", "2024-02-30", "12/03/2024", "2024-03-12T25:00", "2024-03-12T08:30:15+", "yesterday", "2024-03-12T08:30:15."] {
            #expect(ny.parseBoundary(bad) == nil, "\(bad)")
        }
    }

    @Test("format writes YYYY-MM-DDTHH:MM:SS±HH:MM")
    func format() {
        #expect(IntervalBucketer.format(Self.t("2024-03-12T11:37:00Z"), offset: 0) == "2024-03-12T11:37:00+00:00")
        #expect(IntervalBucketer.format(Self.t("2024-03-12T11:37:00Z"), offset: -4 * 3600) == "2024-03-12T07:37:00-04:00")
        #expect(IntervalBucketer.format(Self.t("2024-03-12T11:37:00Z"), offset: -(3 * 3600 + 1800)) == "2024-03-12T08:07:00-03:30")
        #expect(IntervalBucketer.format(Self.t("2024-03-12T11:37:00Z"), offset: 5 * 3600 + 2700) == "2024-03-12T17:22:00+05:45")
    }
}
