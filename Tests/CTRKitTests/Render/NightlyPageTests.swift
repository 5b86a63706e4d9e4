import Foundation
import Testing
@testable import CTRKit

@Suite struct NightlyPageTests {
    private func occurrences(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    /// The text of the tile of `figure` in the section headed by `heading` (an escaped name).
    private func tileValue(_ page: String, heading: String, figure: HeadlineFigure) -> (raw: String, shown: String)? {
        guard let section = page.components(separatedBy: heading).dropFirst().first else { return nil }
        guard let tile = section.components(separatedBy: "data-figure=\"\(figure.rawValue)\" data-value=\"").dropFirst().first else { return nil }
        let raw = String(tile.prefix { $0 != "\"" })
        let shown = tile.components(separatedBy: "<div class=\"v\">")[1].components(separatedBy: "</div>")[0]
        return (raw, shown)
    }

    @Test func everyQueueAndItsContactsQueuedFigureIsOnThePage() throws {
        let day = SyntheticNightlyDay.make()
        let page = NightlyPage.render(day)
        for headline in day.headlines {
            let heading = headline.queue.map { "<h3>\(HTML.escape($0))</h3>" } ?? "<h2>All queues</h2>"
            #expect(page.contains(heading), "\(headline.queue ?? "all queues")")
            let tile = try #require(tileValue(page, heading: heading, figure: .contactsQueued))
            #expect(tile.raw == String(headline.figures.contactsQueued))
            #expect(tile.shown == Figures.count(Double(headline.figures.contactsQueued)))
        }
        #expect(day.headlines.contains { $0.figures.contactsQueued >= 1000 }, "the sample shows a grouped count")
    }

    @Test func hostileNamesShowAsText() {
        let page = NightlyPage.render(SyntheticNightlyDay.make())
        #expect(!page.contains("<script"), "no script at all, and a queue's cannot become one")
        #expect(page.contains("<h3>&lt;script&gt;alert(1)&lt;/script&gt;</h3>"))
        #expect(page.contains("<h3>=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)</h3>"))
        #expect(page.contains("<h3>Billing &amp; Accounts</h3>"))
        #expect(page.contains("<code>ctrdb chain &#39;it&#39;\\&#39;&#39;s &lt;odd&gt; &amp; &quot;quoted&quot;&#39; --db /var/lib/ctrdb/ctr.db</code>"))
    }

    @Test func thePageNeedsNothingBesideIt() {
        let page = NightlyPage.render(SyntheticNightlyDay.make())
        for reference in ["<link", "<img", "<iframe", "src=", "href=\"http", "url(", "@import", "<script"] {
            #expect(!page.contains(reference), "\(reference)")
        }
        #expect(page.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"))
        #expect(page.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"))
        #expect(page.contains("@media print{@page{size:A4"))
    }

    @Test func everyChartHasATitleALabelAndATable() {
        let day = SyntheticNightlyDay.make()
        let page = NightlyPage.render(day)
        let charts = page.components(separatedBy: "<svg ").dropFirst()
        #expect(charts.count == 6 * day.series.count)
        for chart in charts {
            #expect(chart.hasPrefix("xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 480 220\" width=\"100%\" role=\"img\" aria-label=\""))
            #expect(chart.contains("\"><title>"))
        }
        #expect(occurrences("<table><caption>Intervals of ", in: page) == day.series.count)
        #expect(occurrences("<tr><th scope=\"row\">10:00</th>", in: page) == day.series.count)
    }

    @Test func tilesCompareWithTheWeekBefore() {
        let history = FigureAverages(days: [HeadlineFigures(contactsQueued: 100, abandoned: 10, serviceLevelPct: 80)])
        #expect(NightlyPage.comparison(.abandoned, value: 12, history: history)
            == "<div class=\"c bad\">▲ +20% vs 7-day avg 10 <span>(worse)</span></div>")
        #expect(NightlyPage.comparison(.serviceLevelPct, value: 76.5, history: history)
            == "<div class=\"c bad\">▼ −3.5 pts vs 7-day avg 80% <span>(worse)</span></div>")
        #expect(NightlyPage.comparison(.abandoned, value: 5, history: history)
            == "<div class=\"c good\">▼ −50% vs 7-day avg 10 <span>(better)</span></div>")
        #expect(NightlyPage.comparison(.contactsQueued, value: 150, history: history) == "<div class=\"c\">▲ +50% vs 7-day avg 100</div>")
        #expect(NightlyPage.comparison(.contactsQueued, value: 100, history: history) == "<div class=\"c\">= 7-day avg 100</div>")
        #expect(NightlyPage.comparison(.avgAnswerS, value: 12, history: history) == "<div class=\"c\">7-day avg: nothing measured</div>")
        #expect(NightlyPage.comparison(.abandoned, value: 3, history: nil) == "<div class=\"c\">no earlier days to compare</div>")
    }

    @Test func averagesSkipDaysWithNothingToMeasure() throws {
        let averages = try #require(FigureAverages(days: [HeadlineFigures(contactsQueued: 10, avgAnswerS: 30), HeadlineFigures(contactsQueued: 20)]))
        #expect(averages[.contactsQueued] == 15)
        #expect(averages[.avgAnswerS] == 30)
        #expect(averages[.p90QueueS] == nil)
        #expect(FigureAverages(days: []) == nil)
    }

    @Test func figuresReadAsAPersonWouldSayThem() {
        #expect(Figures.count(1234567) == "1,234,567")
        #expect(Figures.count(999) == "999")
        #expect(Figures.percent(83.333) == "83.3%")
        #expect(Figures.percent(100) == "100%")
        #expect(Figures.seconds(42.54) == "42.5 s")
        #expect(Figures.seconds(185) == "3 min 05 s")
        #expect(Figures.seconds(3725) == "1 h 02 min")
        #expect(Figures.fixed(0.125, digits: 2) == "0.13")
        #expect(Figures.fixed(-2.5, digits: 0) == "-3")
        #expect(Figures.format(nil, .seconds) == "–")
    }

    @Test func aDayWithNoDataSaysSo() {
        let day = NightlyDay(day: "2026-03-13", timeZone: "UTC", interval: "1h",
                             headlines: [QueueHeadline(queue: nil, figures: HeadlineFigures())],
                             series: [QueueSeries(queue: nil, intervals: [IntervalFigures(start: "2026-03-13T00:00:00+00:00", epoch: 0)])],
                             quality: [QualityCheck(check: "rejected_records", count: 0)])
        #expect(day.isEmpty)
        let page = NightlyPage.render(day)
        #expect(page.contains("<p class=\"empty\">No contacts on 2026-03-13 (UTC)"))
        #expect(!page.contains("<svg"))
        #expect(page.contains("<h2>Quality checks</h2>"))
        #expect(!SyntheticNightlyDay.make().isEmpty)
    }

    @Test func aRepeatedClockTimeKeepsItsOffset() {
        let intervals = [IntervalFigures(start: "2026-10-25T02:00:00+02:00", epoch: 0), IntervalFigures(start: "2026-10-25T02:00:00+01:00", epoch: 3600)]
        #expect(NightlyPage.slotLabels(intervals) == ["02:00+02:00", "02:00+01:00"])
        #expect(NightlyPage.slotLabels([intervals[0]]) == ["02:00"])
    }

    @Test func theSameDayRendersTheSameBytes() {
        #expect(NightlyPage.render(SyntheticNightlyDay.make()) == NightlyPage.render(SyntheticNightlyDay.make()))
        #expect(NightlyPage.render(SyntheticNightlyDay.make()) != NightlyPage.render(SyntheticNightlyDay.make(seed: 8)))
    }

    @Test func aBusyDayStaysUnderTwoMegabytes() {
        let day = SyntheticNightlyDay.busy()
        #expect(day.series.count == 21 && day.series.allSatisfy { $0.intervals.count == 96 })
        let size = NightlyPage.render(day).utf8.count
        #expect(size < 2_000_000, "\(size) bytes")
        #expect(size > 200_000, "every queue's charts are there: \(size) bytes")
    }

    @Test func theIndexListsDaysNewestFirst() throws {
        let listing = DayListing(days: [
            .init(day: "2026-03-11", timeZone: "Europe/Paris", figures: HeadlineFigures(contactsQueued: 1200, serviceLevelPct: 81.25)),
            .init(day: "2026-03-12", timeZone: "<b>", figures: nil),
        ])
        let page = DayIndexPage.render(listing)
        let newer = try #require(page.range(of: "<a href=\"2026-03-12/index.html\">2026-03-12</a>"))
        let older = try #require(page.range(of: "<a href=\"2026-03-11/index.html\">2026-03-11</a>"))
        #expect(newer.lowerBound < older.lowerBound)
        #expect(page.contains("<td>1,200</td>") && page.contains("<td>81.3%</td>"))
        #expect(page.contains("&lt;b&gt;") && !page.contains("<b>"))
        #expect(DayIndexPage.render(DayListing(days: [])).contains("No day yet."))
    }
}
