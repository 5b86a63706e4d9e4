import Testing
@testable import CTRKit

@Suite struct TimestampTests {
    @Test(arguments: [
        ("2019-05-25T18:55:21Z", Int64(1_558_810_521_000)),
        ("2019-05-25T18:55:21.011Z", 1_558_810_521_011),
        ("2019-05-25T18:55:21.5Z", 1_558_810_521_500),
        ("2019-05-25T18:55:21.123456Z", 1_558_810_521_123),
        ("2019-05-25T20:55:21+02:00", 1_558_810_521_000),
        ("2019-05-25T13:55:21-0500", 1_558_810_521_000),
        ("2019-05-25T18:55:21.011+00:00", 1_558_810_521_011),
        ("2019-05-25 18:55:21", 1_558_810_521_000),
        ("2019-05-25t18:55:21z", 1_558_810_521_000),
        ("1970-01-01T00:00:00Z", 0),
        ("2024-02-29T23:59:59Z", 1_709_251_199_000),
    ])
    func parses(text: String, millis: Int64) {
        #expect(Timestamp.parse(text)?.epochMilliseconds == millis)
    }

    @Test(arguments: [
        "", "2019-05-25", "2019-05-25T18:55", "2019-13-01T00:00:00Z", "2019-02-29T00:00:00Z",
        "2019-05-25T24:00:00Z", "2019-05-25T18:60:00Z", "2019-05-25T18:55:21.Z", "2019-05-25T18:55:21ZZ",
        "2019-05-25T18:55:21+2", "2019/05/25T18:55:21Z", "yesterday at noon!!", "2019-05-25T18:55:21 UTC",
    ])
    func rejects(text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test func textIsWholeUTCSeconds() {
        #expect(Timestamp(epochMilliseconds: 1_558_810_521_999).text == "2019-05-25T18:55:21Z")
        #expect(Timestamp(epochMilliseconds: 0).text == "1970-01-01T00:00:00Z")
        #expect(Timestamp(epochMilliseconds: -1).text == "1969-12-31T23:59:59Z")
        #expect(Timestamp.parse("2019-05-25T20:55:21+02:00")?.text == "2019-05-25T18:55:21Z")
    }

    @Test func roundTripsOverManyDays() {
        var t: Int64 = -86_400_000 * 800
        while t < 86_400_000 * 40_000 {
            let stamp = Timestamp(epochMilliseconds: t)
            #expect(Timestamp.parse(stamp.text) == stamp)
            t += 86_400_000 * 37 + 3_723_000
        }
    }

    @Test func orderingIsToTheMillisecond() throws {
        let a = try #require(Timestamp.parse("2022-01-11T04:09:47Z"))
        let b = try #require(Timestamp.parse("2022-01-11T04:09:47.001Z"))
        #expect(a < b)
        #expect(a.epochSeconds == b.epochSeconds)
    }
}
