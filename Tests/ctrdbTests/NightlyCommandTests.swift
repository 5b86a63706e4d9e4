@testable import CTRKit
import Foundation
import Testing
import TestSupport

/// `ctrdb nightly` through the real binary (SPEC section 9): the pack's CSVs are the
/// reports, summary.json is pinned by golden files and computed from the legs, a run with
/// nothing new changes nothing, concurrent runs leave a valid pack, bad options and
/// unwritable folders fail clearly, and the page a generated day gives reads in Chromium.
@Suite struct NightlyCommandTests {
    /// The catalog's reports: a pack holds one CSV per report, whatever they are.
    static let reportNames = ((try? ReportCatalog(folder: CTRDBBinary.queries))?.reports ?? []).map(\.name)
    static var packFileNames: Set<String> { Set(reportNames.map { $0 + ".csv" } + ["summary.json", "index.html"]) }

    static let flows = CTRDBBinary.packageRoot.appendingPathComponent("Tests/CTRKitTests/Fixtures/connect-flows/flows.ndjson").path
    static let flowsDay = "2024-04-02"

    static let script = "<script>alert(1)</script>"
    static let formula = "=HYPERLINK(\"http://x\")"

    // MARK: the CSVs and summary.json

    @Test("the pack's CSVs are byte for byte `ctrdb report NAME --format csv` with the same options",
          arguments: [("UTC", "1h"), ("America/New_York", "30m")])
    func csvsAreTheReports(zone: String, interval: String) throws {
        let export = try GeneratedExport.shared.get()
        let box = try Sandbox()
        let day = GeneratedExport.busyDay
        try AssertExecuteCommand(["nightly", "--db", export.db, "--out", "packs", "--day", day, "--tz", zone, "--interval", interval, "--quiet"],
                                 in: box.url, expecting: "")
        let pack = try Self.files(in: box.url.appendingPathComponent("packs/\(day)"))
        #expect(Set(pack.keys) == Self.packFileNames)
        #expect(Self.reportNames.count >= 5)
        for name in Self.reportNames {
            let report = try execute(["report", name, "--db", export.db, "--day", day, "--tz", zone, "--interval", interval, "--format", "csv"],
                                     in: box.url)
            #expect(report.exitCode == 0, "\(report)")
            #expect(pack[name + ".csv"] == Data(report.stdout.utf8), "\(name).csv differs from ctrdb report \(name) in \(zone) by \(interval)")
        }
        let rows = parseCSV(String(decoding: try #require(pack["queue-duration.csv"]), as: UTF8.self))
        #expect(rows.count > 20, "a busy day has many interval rows: \(rows.count)")
    }

    @Test("golden files pin summary.json and the CSVs of the connect-flows fixture's day and of a generated day")
    func golden() throws {
        let box = try Sandbox()
        try AssertExecuteCommand(["nightly", Self.flows, "--db", "ctr.db", "--out", "packs", "--day", Self.flowsDay, "--quiet"], in: box.url)
        let flows = try Self.files(in: box.url.appendingPathComponent("packs/\(Self.flowsDay)"))
        #expect(Set(flows.keys) == Self.packFileNames)
        for (name, bytes) in flows where name != "index.html" {
            try assertGolden(bytes, "nightly/connect-flows/\(name)")
        }

        let export = try GeneratedExport.shared.get()
        try AssertExecuteCommand(["nightly", "--db", export.db, "--out", "generated", "--day", GeneratedExport.busyDay,
                                  "--tz", "Europe/London", "--quiet"], in: box.url)
        let generated = try Self.files(in: box.url.appendingPathComponent("generated/\(GeneratedExport.busyDay)"))
        try assertGolden(try #require(generated["summary.json"]), "nightly/generated/summary.json")
    }

    /// Two queues whose figures are far apart: the all-queues p90, average answer time and
    /// service level are those of the twelve legs, not averages of the two queues' figures.
    @Test("the all-queues figures of summary.json are computed from the legs")
    func allQueuesFromLegs() throws {
        let box = try Sandbox()
        var legs = (1...10).map { FixtureLeg.queued("alpha-\($0)", queue: "Alpha", at: "2024-04-02T09:\(10 + $0):00Z", wait: $0, answered: true) }
        legs += [FixtureLeg.queued("beta-1", queue: "Beta", at: "2024-04-02T10:00:00Z", wait: 100, answered: true),
                 FixtureLeg.queued("beta-2", queue: "Beta", at: "2024-04-02T11:00:00Z", wait: 200, answered: true)]
        try box.write("legs.ndjson", legs.map { $0.line + "\n" }.joined())
        try AssertExecuteCommand(["nightly", "legs.ndjson", "--db", "ctr.db", "--out", "packs", "--day", "2024-04-02", "--quiet"], in: box.url)
        let summary = try Self.summary(box.url.appendingPathComponent("packs/2024-04-02/summary.json"))
        let all = try #require(summary["all"])
        let alpha = try #require(summary["Alpha"])
        let beta = try #require(summary["Beta"])
        #expect(summary.count == 3)

        #expect(all["contacts_queued"] as? Int == 12)
        #expect(all["contacts_queued"] as? Int == [alpha, beta].compactMap { $0["contacts_queued"] as? Int }.reduce(0, +))
        #expect(all["contacts_answered"] as? Int == 12)
        // nearest rank over [1...10, 100, 200]: rank ceil(0.9 x 12) = 11 is 100; Alpha's is 9, Beta's 200
        #expect(alpha["p90_queue_s"] as? Int == 9 && beta["p90_queue_s"] as? Int == 200)
        #expect(all["p90_queue_s"] as? Int == 100)
        #expect(all["p90_queue_s"] as? Double != ((alpha["p90_queue_s"] as? Double ?? 0) + (beta["p90_queue_s"] as? Double ?? 0)) / 2)
        // (55 + 300) / 12, not (5.5 + 150) / 2
        #expect(all["avg_answer_s"] as? Double == 29.58)
        // 10 of 12 waited less than 20 s, not (100 + 0) / 2
        #expect(alpha["service_level_pct"] as? Double == 100 && beta["service_level_pct"] as? Double == 0)
        #expect(all["service_level_pct"] as? Double == 83.33)
        #expect(all["abandon_rate_pct"] as? Double == 0)
    }

    @Test("--queue narrows the pack: the all-queues figures are those of the chosen queues, the CSVs their reports'")
    func queueFilter() throws {
        let box = try Sandbox()
        try AssertExecuteCommand(["nightly", Self.flows, "--db", "ctr.db", "--out", "sales", "--day", Self.flowsDay, "--queue", "Sales", "--quiet"],
                                 in: box.url, expecting: "")
        let summary = try Self.summary(box.url.appendingPathComponent("sales/\(Self.flowsDay)/summary.json"))
        #expect(summary.keys.sorted() == ["Sales", "all"])
        for figure in HeadlineFigure.allCases {
            #expect("\(summary["all"]?[figure.rawValue] ?? "none")" == "\(summary["Sales"]?[figure.rawValue] ?? "none")", "\(figure.rawValue)")
        }
        let pack = try Self.files(in: box.url.appendingPathComponent("sales/\(Self.flowsDay)"))
        let report = try execute(["report", "queue-duration", "--db", "ctr.db", "--day", Self.flowsDay, "--interval", "1h", "--queue", "Sales",
                                  "--format", "csv"], in: box.url)
        #expect(pack["queue-duration.csv"] == Data(report.stdout.utf8))
    }

    // MARK: reliability

    @Test("a run with nothing new rewrites nothing: the same bytes and mtimes, and no generation time inside")
    func nothingNewChangesNothing() throws {
        let box = try Sandbox()
        let arguments = ["nightly", Self.flows, "--db", "ctr.db", "--out", "packs", "--day", Self.flowsDay]
        let first = try AssertExecuteCommand(arguments, in: box.url, expecting: "")
        #expect(first.stderr.contains("packs/\(Self.flowsDay) created"), "\(first)")
        let packs = box.url.appendingPathComponent("packs")
        let before = try Self.snapshot(packs)
        #expect(Set(before.keys).isSuperset(of: ["index.html", "\(Self.flowsDay)/summary.json", "\(Self.flowsDay)/index.html"]))

        Thread.sleep(forTimeInterval: 1.1)  // a clock in the files would show now
        let second = try AssertExecuteCommand(arguments, in: box.url, expecting: "")
        #expect(second.stderr.contains("packs/\(Self.flowsDay) unchanged"), "\(second)")
        let after = try Self.snapshot(packs)
        #expect(after.keys.sorted() == before.keys.sorted())
        for (name, file) in before {
            #expect(after[name]?.bytes == file.bytes, "\(name) changed")
            #expect(after[name]?.modified == file.modified, "\(name) was rewritten")
        }

        // Only rendering (no input) gives the same bytes too.
        try AssertExecuteCommand(["nightly", "--db", "ctr.db", "--out", "packs", "--day", Self.flowsDay, "--quiet"], in: box.url, expecting: "")
        #expect(try Self.snapshot(packs).mapValues(\.bytes) == before.mapValues(\.bytes))

        let today = ISO8601DateFormatter.string(from: Date(), timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
        for (name, file) in before {
            #expect(!String(decoding: file.bytes, as: UTF8.self).contains(today), "\(name) holds today's date \(today)")
        }
    }

    @Test("two nightly runs at once on the same --out leave valid packs and no leftovers")
    func concurrentRuns() throws {
        let export = try GeneratedExport.shared.get()
        let box = try Sandbox()
        let out = box.file("packs")
        // Both ingest the same input into the same database, then write the same day.
        for _ in 0..<2 {
            let runs = try (0..<2).map { _ in
                try CTRDBBinary.start(["nightly", Self.flows, "--db", box.file("ctr.db"), "--out", out, "--day", Self.flowsDay], in: box.url)
            }
            for run in runs { run.waitUntilExit() }
            #expect(runs.map(\.terminationStatus) == [0, 0])
        }
        // Two days from one database, and the same day in two zones, at once.
        let runs = try [["--day", "2024-03-04"], ["--day", GeneratedExport.busyDay], ["--day", GeneratedExport.busyDay, "--tz", "Asia/Tokyo"]].map {
            try CTRDBBinary.start(["nightly", "--db", export.db, "--out", out] + $0, in: box.url)
        }
        for run in runs { run.waitUntilExit() }
        #expect(runs.map(\.terminationStatus) == [0, 0, 0])

        let names = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(names == [".lock", Self.flowsDay, "2024-03-04", GeneratedExport.busyDay, "index.html"].sorted(), "leftovers: \(names)")
        for day in [Self.flowsDay, "2024-03-04", GeneratedExport.busyDay] {
            let pack = try Self.files(in: URL(fileURLWithPath: out).appendingPathComponent(day))
            #expect(Set(pack.keys) == Self.packFileNames, "\(day)")
            let summary = try Self.summary(URL(fileURLWithPath: out).appendingPathComponent("\(day)/summary.json"))
            #expect((summary["all"]?["contacts_queued"] as? Int ?? 0) > 0, "\(day)")
            #expect(String(decoding: pack["index.html"] ?? Data(), as: UTF8.self).hasSuffix("</html>\n"), "\(day)")
        }
        let index = String(decoding: try Data(contentsOf: URL(fileURLWithPath: out + "/index.html")), as: UTF8.self)
        for day in [Self.flowsDay, "2024-03-04", GeneratedExport.busyDay] {
            #expect(index.contains(day), "DIR/index.html lists \(day)")
        }
    }

    @Test("a day with no data gets a page that says so, exit 0")
    func dayWithNoData() throws {
        let box = try Sandbox()
        try AssertExecuteCommand(["nightly", Self.flows, "--db", "ctr.db", "--out", "packs", "--day", "2024-01-01", "--quiet"], in: box.url, expecting: "")
        let pack = try Self.files(in: box.url.appendingPathComponent("packs/2024-01-01"))
        #expect(Set(pack.keys) == Self.packFileNames)
        let page = String(decoding: pack["index.html"] ?? Data(), as: UTF8.self)
        #expect(page.contains("No contacts on 2024-01-01"), "\(page.prefix(2000))")
        let summary = try Self.summary(box.url.appendingPathComponent("packs/2024-01-01/summary.json"))
        #expect(summary.keys.sorted() == ["all"])
        #expect(summary["all"]?["contacts_queued"] as? Int == 0)
        #expect(summary["all"]?["p90_queue_s"] is NSNull)
        for name in Self.reportNames where name != "quality" {
            #expect(parseCSV(String(decoding: pack[name + ".csv"] ?? Data(), as: UTF8.self)).count == 1, "\(name).csv: only its header")
        }
    }

    @Test("a bad --day or --tz exits 64 with a message naming it and nothing on stdout",
          arguments: [["--day", "2026-13-40"], ["--tz", "Mars/Base"]])
    func badUsage(option: [String]) throws {
        let box = try Sandbox()
        let result = try AssertExecuteCommand(["nightly", Self.flows, "--db", "ctr.db", "--out", "packs"] + option, in: box.url,
                                              exitCode: 64, expecting: "")
        #expect(result.stderr.contains(option[1]), "\(result)")
        #expect(!FileManager.default.fileExists(atPath: box.file("packs")), "nothing written")
        #expect(!FileManager.default.fileExists(atPath: box.file("ctr.db")), "nothing ingested")
    }

    @Test("an --out under a regular file exits 1 with a message naming the path")
    func unwritableOut() throws {
        let box = try Sandbox()
        try box.write("blocker", "a file, not a folder\n")
        let result = try AssertExecuteCommand(["nightly", Self.flows, "--db", "ctr.db", "--out", "blocker/packs", "--day", Self.flowsDay],
                                              in: box.url, exitCode: 1, expecting: "")
        #expect(result.stderr.contains("cannot write the report pack at blocker/packs"), "\(result)")
        #expect(result.stderr.contains("blocker is not a folder"), "\(result)")
    }

    @Test("the exit code is ingest's: a rejected record gives exit 2, and the pack is still written")
    func rejectedRecordExitsTwo() throws {
        let box = try Sandbox()
        let good = try String(contentsOfFile: Self.flows, encoding: .utf8)
        try box.write("export.ndjson", good + "{\"ContactId\": \"broken\", this is not JSON}\n")
        let result = try AssertExecuteCommand(["nightly", "export.ndjson", "--db", "ctr.db", "--out", "packs", "--day", Self.flowsDay],
                                              in: box.url, exitCode: 2, expecting: "")
        #expect(result.stderr.contains("export.ndjson: byte"), "\(result)")
        #expect(result.stderr.hasSuffix("nightly: packs/\(Self.flowsDay) created\n"), "\(result)")
        let pack = try Self.files(in: box.url.appendingPathComponent("packs/\(Self.flowsDay)"))
        #expect(Set(pack.keys) == Self.packFileNames)
        let quality = parseCSV(String(decoding: pack["quality.csv"] ?? Data(), as: UTF8.self))
        #expect(quality.first { $0.first == "rejected_records" }?[1] == "1", "\(quality)")
        #expect((try Self.summary(box.url.appendingPathComponent("packs/\(Self.flowsDay)/summary.json"))["all"]?["contacts_queued"] as? Int ?? 0) > 0)
    }

    @Test("--quiet prints nothing on stderr; without it, one line per stage")
    func quiet() throws {
        let box = try Sandbox()
        let quiet = try AssertExecuteCommand(["nightly", Self.flows, "--db", "ctr.db", "--out", "packs", "--day", Self.flowsDay, "--quiet"],
                                             in: box.url, expecting: "")
        #expect(quiet.stderr == "")
        let loud = try AssertExecuteCommand(["nightly", "--db", "ctr.db", "--out", "other", "--day", Self.flowsDay], in: box.url, expecting: "")
        #expect(loud.stderr == "nightly: other/\(Self.flowsDay) created\n")
    }

    // MARK: the page of a generated day, in Chromium

    @Test("a generated day's page, made by the binary, in headless Chromium: drawn, every queue and its figure, nothing wider than 390 px")
    func pageInChromium() throws {
        let chromium = try HeadlessChromium()
        let export = try GeneratedExport.shared.get()
        let box = try Sandbox()
        let day = GeneratedExport.busyDay
        try AssertExecuteCommand(["nightly", "--db", export.db, "--out", "packs", "--day", day, "--quiet"], in: box.url, expecting: "")
        let page = box.url.appendingPathComponent("packs/\(day)/index.html")
        let html = try String(contentsOf: page, encoding: .utf8)
        #expect(html.utf8.count < 2_000_000, "\(html.utf8.count) bytes")
        let keep = ProcessInfo.processInfo.environment["CTRDB_SCREENSHOTS"]

        for (width, height) in [(1280, 2400), (390, 2400)] {
            let png = try chromium.screenshot(page, width: width, height: height)
            if let keep { try Data(png).write(to: URL(fileURLWithPath: keep).appendingPathComponent("nightly-generated-\(width).png")) }
            let image = try PNGImage(png).leftColumns(width)
            #expect(image.width == width && image.height == height)
            #expect(image.colourCount > 50, "\(width) px: \(image.colourCount) colours")
            #expect(image.nonBackgroundShare > 0.05, "\(width) px: \(image.nonBackgroundShare) of the pixels drawn")
        }

        let summary = try Self.summary(box.url.appendingPathComponent("packs/\(day)/summary.json"))
        #expect(summary.count >= 4, "the generated day has several queues: \(summary.keys.sorted())")
        #expect(summary[Self.script] != nil && summary[Self.formula] != nil)
        let dom = try chromium.dumpDOM(page, width: 1280, height: 900)
        #expect(!dom.contains("<script"), "a queue name became a script")
        for (queue, figures) in summary {
            let heading = queue == "all" ? "<h2>All queues</h2>" : "<h3>\(Self.domText(queue))</h3>"
            let section = try #require(dom.components(separatedBy: heading).dropFirst().first?.components(separatedBy: "<h3>").first, "\(queue)")
            let queued = try #require(figures["contacts_queued"] as? Int)
            #expect(section.contains("data-figure=\"contacts_queued\" data-value=\"\(queued)\"><div class=\"k\">Contacts queued</div>"
                        + "<div class=\"v\">\(Figures.count(Double(queued)))</div>"), "\(queue): \(queued)")
        }
        #expect(dom.contains("<h3>&lt;script&gt;alert(1)&lt;/script&gt;</h3>"))
        #expect(dom.contains("<h3>=HYPERLINK(\"http://x\")</h3>"))

        for (name, file) in [("day", page), ("index", box.url.appendingPathComponent("packs/index.html"))] {
            let probe = try chromium.measureLayout(try String(contentsOf: file, encoding: .utf8))
            #expect(probe.viewport == 390, "\(name): \(probe)")
            #expect(probe.scrollWidth <= probe.viewport, "\(name): \(probe)")
            #expect(probe.offenders.isEmpty, "\(name): \(probe)")
            #expect(probe.checked > 20, "\(name): \(probe)")
        }
    }

    @Test("hostile queue names are text in the page and spreadsheet-safe in the CSVs")
    func hostileQueueNames() throws {
        let export = try GeneratedExport.shared.get()
        let box = try Sandbox()
        let day = GeneratedExport.busyDay
        try AssertExecuteCommand(["nightly", "--db", export.db, "--out", "packs", "--day", day, "--quiet"], in: box.url, expecting: "")
        let pack = try Self.files(in: box.url.appendingPathComponent("packs/\(day)"))
        let page = String(decoding: pack["index.html"] ?? Data(), as: UTF8.self)
        #expect(!page.contains("<script"))
        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(page.contains("=HYPERLINK(&quot;http://x&quot;)"))
        #expect(!page.contains(Self.formula))

        for name in Self.reportNames {
            let rows = parseCSV(String(decoding: pack[name + ".csv"] ?? Data(), as: UTF8.self))
            for cell in rows.joined() where cell.first.map({ "=+-@\t\r".contains($0) }) == true {
                #expect(Double(cell) != nil, "\(name).csv: a formula-like cell \(cell)")
            }
        }
        let queues = Set(parseCSV(String(decoding: pack["queue-duration.csv"] ?? Data(), as: UTF8.self)).dropFirst().map { $0[1] })
        #expect(queues.contains("'" + Self.formula))
        #expect(queues.contains(Self.script))
    }

    // MARK: helpers

    /// Every file of a pack folder, name to bytes.
    static func files(in folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            files[name] = try Data(contentsOf: folder.appendingPathComponent(name))
        }
        return files
    }

    /// Every file under `folder` (hidden ones included), relative path to bytes and mtime.
    static func snapshot(_ folder: URL) throws -> [String: (bytes: Data, modified: Date)] {
        var files: [String: (bytes: Data, modified: Date)] = [:]
        let enumerator = FileManager.default.enumerator(atPath: folder.path)
        while let name = enumerator?.nextObject() as? String {
            let path = folder.appendingPathComponent(name).path
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            guard attributes[.type] as? FileAttributeType == .typeRegular else { continue }
            files[name] = (try Data(contentsOf: URL(fileURLWithPath: path)), attributes[.modificationDate] as? Date ?? .distantPast)
        }
        return files
    }

    /// summary.json's objects by queue ("all" for the all-queues one), after checking its frame.
    static func summary(_ file: URL) throws -> [String: [String: Any]] {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        #expect(Set(document.keys) == ["day", "tz", "interval", "sl", "short_abandon", "queues"])
        let queues = try #require(document["queues"] as? [[String: Any]])
        #expect(queues.first?["queue"] is NSNull, "the all-queues object comes first")
        var byQueue: [String: [String: Any]] = [:]
        for object in queues {
            #expect(object.keys.sorted() == (["queue"] + HeadlineFigure.allCases.map(\.rawValue)).sorted())
            byQueue[object["queue"] as? String ?? "all"] = object
        }
        return byQueue
    }

    /// Text as a DOM serialiser writes it inside an element: only `&`, `<` and `>` escaped.
    static func domText(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}

/// A two-day export made once by `ctrdb generate` (fixed seed, so the same bytes every
/// run), with two queues of hostile names added on the busy day, and its database.
final class GeneratedExport {
    static let shared = Result { try GeneratedExport() }
    static let busyDay = "2024-03-05"

    let folder: TemporaryFolder
    let db: String

    private init() throws {
        folder = try TemporaryFolder()
        db = folder.file("ctr.db")
        try AssertExecuteCommand(["generate", "--out", "export", "--journeys", "600", "--days", "2", "--seed", "12", "--start-date", "2024-03-04"],
                                 in: folder.url)
        let hostile = [NightlyCommandTests.script, NightlyCommandTests.formula].enumerated().flatMap { index, queue in
            (0..<3).map { n in
                FixtureLeg.queued("hostile-\(index)-\(n)", queue: queue, at: "2024-03-05T1\(n):2\(index):00Z", wait: 15 + 20 * n, answered: n < 2)
            }
        }
        try folder.write("export/hostile.ndjson", hostile.map { $0.line + "\n" }.joined())
        try AssertExecuteCommand(["ingest", "export", "--db", db, "--quiet"], in: folder.url)
    }
}
