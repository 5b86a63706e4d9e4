@testable import CTRKit
import Foundation
import Testing
import TestSupport

@Suite("ReportCatalog")
struct ReportCatalogTests {
    static func folder(_ files: [String: String]) throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        for (name, text) in files { try folder.write(name, text) }
        return folder
    }

    @Test("Queries/ holds the five canned reports with descriptions; files starting with _ are not reports")
    func fiveReports() throws {
        let catalog = try ReportFixture.catalog()
        #expect(catalog.reports.map(\.name) == ["abandonment", "callbacks", "quality", "queue-duration", "whisper"])
        for report in catalog.reports {
            #expect(!report.description.isEmpty, "\(report.name)")
            #expect(report.path.hasSuffix("/\(report.name).sql"))
            #expect(report.sql.hasPrefix("-- name: \(report.name)\n"))
        }
        #expect(catalog.legsSQL.contains("ctr_interval_key"))
        #expect(!catalog.reports.contains { $0.name.hasPrefix("_") })
    }

    @Test("an unknown report is an error naming the known ones")
    func unknownReport() throws {
        let catalog = try ReportFixture.catalog()
        #expect(throws: ReportError.unknownReport(name: "nope", known: ["abandonment", "callbacks", "quality", "queue-duration", "whisper"])) {
            try catalog.report(named: "nope")
        }
        let message = ReportError.unknownReport(name: "nope", known: catalog.reports.map(\.name)).errorDescription!
        for name in ["nope", "abandonment", "callbacks", "quality", "queue-duration", "whisper"] { #expect(message.contains(name)) }
    }

    @Test("adding a report is adding a file; a file without a name header is an error")
    func addingAReport() throws {
        let legs = try String(contentsOfFile: ReportFixture.queriesFolder + "/_legs.sql", encoding: .utf8)
        let scratch = try Self.folder([
            "_legs.sql": legs,
            "legs-count.sql": "-- name: legs-count\n-- description: Legs per interval.\n-- parameters: none\nSELECT ctr_interval_label(interval_key, :interval, :tz, :total_start) AS interval_start, COUNT(*) AS legs FROM legs GROUP BY interval_key ORDER BY interval_key\n",
            "notes.txt": "not a query",
        ])
        let catalog = try ReportCatalog(folder: scratch.path)
        #expect(catalog.reports.map(\.name) == ["legs-count"])
        #expect(catalog.reports[0].description == "Legs per interval.")
        #expect(catalog.reports[0].parameters == "none")

        let fixture = try ReportFixture(SeedExample.legs)
        let writer = CollectingWriter()
        let queue = try QueryRunner.openReadOnly(fixture.databasePath)
        try queue.read { db in
            _ = try ReportRunner(catalog: catalog).run(catalog.reports[0], parameters: ReportParameters(), in: db, to: writer)
        }
        #expect(writer.columns == ["interval_start", "legs"])
        #expect(writer.rows == [[.text("2024-03-12T00:00:00+00:00"), .integer(2)]])

        let bad = try Self.folder(["_legs.sql": legs, "broken.sql": "SELECT 1\n"])
        #expect(throws: ReportError.badHeader(path: bad.path + "/broken.sql")) { try ReportCatalog(folder: bad.path) }

        let noLegs = try Self.folder(["a.sql": "-- name: a\nSELECT 1\n"])
        #expect(throws: ReportError.self) { try ReportCatalog(folder: noLegs.path) }
    }

    @Test("the header is read only from the leading comment lines")
    func headerParsing() throws {
        let report = try ReportCatalog.parse("-- name:  spaced  \n--description: d: with colon\nSELECT 1 -- name: other\n-- name: late\n", path: "x.sql")
        #expect(report.name == "spaced")
        #expect(report.description == "d: with colon")
        #expect(throws: ReportError.badHeader(path: "y.sql")) { try ReportCatalog.parse("SELECT 1\n-- name: late\n", path: "y.sql") }
        #expect(throws: ReportError.badHeader(path: "z.sql")) { try ReportCatalog.parse("-- name:\nSELECT 1\n", path: "z.sql") }
    }

    @Test("locate: $CTRDB_QUERIES wins; else a Queries folder above the executable")
    func locate() throws {
        #expect(ReportCatalog.locate(environment: ["CTRDB_QUERIES": "/some/where"], executable: "/bin/x") == "/some/where")
        let root = ReportFixture.packageRoot.path
        let found = ReportCatalog.locate(environment: [:], executable: root + "/.build/debug/ctrdb")
        #expect(found.map { URL(fileURLWithPath: $0).standardized.path } == root + "/Queries")
    }

    @Test("compose puts legs in front of the report, merging WITH and WITH RECURSIVE")
    func compose() {
        let plain = ReportRunner.compose(legs: "SELECT 1 AS x", report: "-- name: a\n\nSELECT x FROM legs")
        #expect(plain == "WITH legs AS (\nSELECT 1 AS x\n)\nSELECT x FROM legs")
        let with = ReportRunner.compose(legs: "SELECT 1 AS x", report: "-- name: a\nWITH b AS (SELECT x FROM legs) SELECT * FROM b")
        #expect(with == "WITH legs AS (\nSELECT 1 AS x\n),\n b AS (SELECT x FROM legs) SELECT * FROM b")
        let recursive = ReportRunner.compose(legs: "SELECT 1 AS x", report: "-- name: a\nWITH RECURSIVE r AS (SELECT 1) SELECT * FROM r")
        #expect(recursive.hasPrefix("WITH RECURSIVE legs AS (\nSELECT 1 AS x\n),\n r AS"))
    }

    @Test("the queue list is a JSON array with every character escaped")
    func queueArray() throws {
        #expect(ReportRunner.jsonArray(["a\"b", "c\\d", "e\nf"]) == #"["a\"b","c\\d","e\nf"]"#)
        let data = ReportRunner.jsonArray(["x' OR 1=1 --", "\u{1}"]).data(using: .utf8)!
        #expect(try JSONSerialization.jsonObject(with: data) as? [String] == ["x' OR 1=1 --", "\u{1}"])
    }
}
