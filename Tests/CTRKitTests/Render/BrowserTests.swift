import Foundation
import Testing
import TestSupport
@testable import CTRKit

/// The page in a real browser: Debian's headless Chromium takes screenshots at desktop and
/// phone widths, and serialises the DOM it built (with a probe script, added only to a test
/// copy, that measures every element against a 390 px viewport: `measureLayout`).
/// Set CTRDB_SCREENSHOTS to a folder to keep the page and its screenshots for a look.
@Suite(.serialized) struct BrowserTests {
    private let day = SyntheticNightlyDay.make()

    /// Text as a DOM serialiser writes it inside an element: only `&`, `<` and `>` escaped.
    private func domText(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    private func save(_ html: String, in folder: TemporaryFolder, as name: String = "index.html") throws -> URL {
        URL(fileURLWithPath: try folder.write(name, html))
    }

    @Test func screenshotsAtDesktopAndPhoneWidthsAreNotBlank() throws {
        let chromium = try HeadlessChromium()
        let folder = try TemporaryFolder()
        let html = NightlyPage.render(day)
        let page = try save(html, in: folder)
        if let keep = ProcessInfo.processInfo.environment["CTRDB_SCREENSHOTS"] {
            try html.write(toFile: keep + "/nightly.html", atomically: true, encoding: .utf8)
        }
        for (width, height) in [(1280, 2200), (390, 2400)] {
            let png = try chromium.screenshot(page, width: width, height: height)
            if let keep = ProcessInfo.processInfo.environment["CTRDB_SCREENSHOTS"] {
                try Data(png).write(to: URL(fileURLWithPath: keep).appendingPathComponent("nightly-\(width).png"))
            }
            let image = try PNGImage(png).leftColumns(width)
            #expect(image.width == width && image.height == height)
            #expect(image.colourCount > 50, "\(width) px: \(image.colourCount) colours")
            #expect(image.nonBackgroundShare > 0.05, "\(width) px: \(image.nonBackgroundShare) of the pixels drawn")
        }
    }

    @Test func theDOMShowsEveryQueueAndItsContactsQueuedFigure() throws {
        let chromium = try HeadlessChromium()
        let folder = try TemporaryFolder()
        let dom = try chromium.dumpDOM(try save(NightlyPage.render(day), in: folder), width: 1280, height: 900)
        #expect(dom.contains("<title>Contact centre 2026-03-12</title>"))
        #expect(!dom.contains("<script"), "a hostile queue name did not become a script")
        for headline in day.headlines {
            let heading = headline.queue.map { "<h3>\(domText($0))</h3>" } ?? "<h2>All queues</h2>"
            let section = try #require(dom.components(separatedBy: heading).dropFirst().first, "\(headline.queue ?? "all queues")")
            let tile = "<div class=\"tile\" data-figure=\"contacts_queued\" data-value=\"\(headline.figures.contactsQueued)\">"
                + "<div class=\"k\">Contacts queued</div><div class=\"v\">\(Figures.count(Double(headline.figures.contactsQueued)))</div>"
            #expect(section.hasPrefix("<div class=\"tiles\">" + tile), "\(headline.queue ?? "all queues")")
        }
        #expect(dom.contains("<h3>&lt;script&gt;alert(1)&lt;/script&gt;</h3>"))
    }

    /// Every element either fits the viewport or sits in a box that scrolls or clips it
    /// (a table's scroll box, an SVG), with every `<details>` opened first
    /// (`HeadlessChromium.measureLayout`).
    @Test func nothingIsWiderThanAPhone() throws {
        let chromium = try HeadlessChromium()
        let listing = DayListing(days: [.init(day: "2026-03-12", timeZone: "Europe/Paris", figures: day.headlines.first { $0.queue == nil }?.figures),
                                        .init(day: "2026-03-11", figures: nil)])
        let pages = ["day.html": NightlyPage.render(day), "index.html": DayIndexPage.render(listing),
                     "busy.html": NightlyPage.render(SyntheticNightlyDay.busy())]
        for (name, html) in pages.sorted(by: { $0.key < $1.key }) {
            let probe = try chromium.measureLayout(html)
            #expect(probe.viewport == 390, "\(name): \(probe)")
            #expect(probe.scrollWidth <= probe.viewport, "\(name): \(probe)")
            #expect(probe.offenders.isEmpty, "\(name): \(probe.offenders)")
            #expect(probe.checked > 40, "\(name): the probe looked at \(probe.checked) elements")
        }
        // the probe finds what is too wide
        let wide = try chromium.measureLayout("<!DOCTYPE html>\n<html><body><p>fits</p><div class=\"x\" style=\"width:600px\">too wide</div>\n</body></html>")
        #expect(wide.scrollWidth > 390)
        #expect(wide.offenders.count == 1 && wide.offenders[0].hasPrefix("DIV.x "), "\(wide.offenders)")
    }
}
