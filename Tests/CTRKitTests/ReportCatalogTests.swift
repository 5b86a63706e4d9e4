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

    /// The relation files of the real Queries/, for scratch catalogs.
    static func relationFiles() throws -> [String: String] {
        var files: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: ReportFixture.queriesFolder) where name.hasPrefix("_") {
            files[name] = try String(contentsOfFile: ReportFixture.queriesFolder + "/" + name, encoding: .utf8)
        }
        return files
    }

    @Test("every report of Queries/ has a name, a description and its columns; files starting with _ are not reports")
    func reports() throws {
        let catalog = try ReportFixture.catalog()
        #expect(!catalog.reports.isEmpty)
        #expect(Set(catalog.reports.map(\.name)).count == catalog.reports.count)
        for report in catalog.reports {
            #expect(!report.description.isEmpty, "\(report.name)")
            #expect(!report.columns.isEmpty, "\(report.name) declares its columns")
            #expect(report.path.hasSuffix("/\(report.name).sql"))
            #expect(report.sql.hasPrefix("-- name: \(report.name)\n"))
        }
        #expect(!catalog.reports.contains { $0.name.hasPrefix("_") })
    }

    @Test("the relations come each after those it uses: leg, legs, callback_requests")
    func relations() throws {
        let catalog = try ReportFixture.catalog()
        let names = catalog.relations.map(\.name)
        for relation in catalog.relations {
            for used in relation.uses {
                #expect(names.firstIndex(of: used)! < names.firstIndex(of: relation.name)!, "\(relation.name) uses \(used)")
            }
        }
        #expect(names.contains("leg") && names.contains("legs") && names.contains("callback_requests"))
        #expect(catalog.relations.first { $0.name == "leg" }?.inline == true)
        #expect(catalog.relations.first { $0.name == "legs" }?.sql.contains("ctr_interval_key") == true)
    }

    @Test("a relation using an unknown one, or itself, is an error naming it")
    func badRelations() throws {
        let unknown = try Self.folder(["_legs.sql": "-- relation: legs\n-- uses: nowhere\nSELECT 1\n"])
        #expect(throws: ReportError.badRelations("\(unknown.path)/_legs.sql uses nowhere, which no file defines")) { try ReportCatalog(folder: unknown.path) }
        let cycle = try Self.folder(["_legs.sql": "-- relation: legs\n-- uses: a\nSELECT 1\n", "_a.sql": "-- relation: a\n-- uses: legs\nSELECT 1\n"])
        #expect(throws: ReportError.self) { try ReportCatalog(folder: cycle.path) }
    }

    @Test("an unknown report is an error naming the known ones")
    func unknownReport() throws {
        let catalog = try ReportFixture.catalog()
        let known = catalog.reports.map(\.name)
        #expect(throws: ReportError.unknownReport(name: "nope", known: known)) { try catalog.report(named: "nope") }
        let message = ReportError.unknownReport(name: "nope", known: known).errorDescription!
        for name in ["nope"] + known { #expect(message.contains(name)) }
    }

    @Test("adding a report is adding a file; a file without a name header is an error")
    func addingAReport() throws {
        var files = try Self.relationFiles()
        files["legs-count.sql"] = "-- name: legs-count\n-- description: Legs per interval.\n-- parameters: none\n-- columns: interval_start, legs\nSELECT ctr_interval_label(interval_key) AS interval_start, COUNT(*) AS legs FROM legs GROUP BY interval_key ORDER BY interval_key\n"
        files["notes.txt"] = "not a query"
        let scratch = try Self.folder(files)
        let catalog = try ReportCatalog(folder: scratch.path)
        #expect(catalog.reports.map(\.name) == ["legs-count"])
        #expect(catalog.reports[0].description == "Legs per interval.")
        #expect(catalog.reports[0].parameters == "none")
        #expect(catalog.reports[0].columns == ["interval_start", "legs"])

        let fixture = try ReportFixture(SeedExample.legs)
        let writer = CollectingRows()
        let queue = try QueryRunner.openReadOnly(fixture.databasePath)
        try queue.read { db in
            _ = try ReportRunner(catalog: catalog).run(catalog.reports[0], parameters: ReportParameters(), in: db, to: writer)
        }
        #expect(writer.columns == ["interval_start", "legs"])
        #expect(writer.rows == [[.text("2024-03-12T00:00:00+00:00"), .integer(2)]])

        var bad = try Self.relationFiles()
        bad["broken.sql"] = "SELECT 1\n"
        let badFolder = try Self.folder(bad)
        #expect(throws: ReportError.badHeader(path: badFolder.path + "/broken.sql")) { try ReportCatalog(folder: badFolder.path) }

        let noLegs = try Self.folder(["a.sql": "-- name: a\nSELECT 1\n"])
        #expect(throws: ReportError.self) { try ReportCatalog(folder: noLegs.path) }
    }

    @Test("a failing report names its .sql file and SQLite's message")
    func failingReport() throws {
        var files = try Self.relationFiles()
        files["broken.sql"] = "-- name: broken\n-- description: d\nSELECT no_such_column FROM legs\n"
        let scratch = try Self.folder(files)
        let catalog = try ReportCatalog(folder: scratch.path)
        let fixture = try ReportFixture(SeedExample.legs)
        let queue = try QueryRunner.openReadOnly(fixture.databasePath)
        let error = #expect(throws: ReportError.self) {
            try queue.read { db in try ReportRunner(catalog: catalog).run(catalog.reports[0], parameters: ReportParameters(), in: db, to: CollectingRows()) }
        }
        let message = error?.errorDescription ?? ""
        #expect(message.contains(scratch.path + "/broken.sql"))
        #expect(message.contains("no such column: no_such_column"))
    }

    @Test("the header is read only from the leading comment lines")
    func headerParsing() throws {
        let header = ReportCatalog.header("-- name:  spaced  \n--description: d: with colon\nSELECT 1 -- name: other\n-- name: late\n")
        #expect(header["name"] == "spaced")
        #expect(header["description"] == "d: with colon")
        #expect(ReportCatalog.header("SELECT 1\n-- name: late\n")["name"] == nil)
        #expect(ReportCatalog.list(" a, b ,,c ") == ["a", "b", "c"])
        let scratch = try Self.folder(try Self.relationFiles().merging(["z.sql": "-- name:\nSELECT 1\n"]) { a, _ in a })
        #expect(throws: ReportError.badHeader(path: scratch.path + "/z.sql")) { try ReportCatalog(folder: scratch.path) }
    }

    @Test("locate: $CTRDB_QUERIES wins; else a Queries folder above the executable")
    func locate() throws {
        #expect(ReportCatalog.locate(environment: ["CTRDB_QUERIES": "/some/where"], executable: "/bin/x") == "/some/where")
        let root = ReportFixture.packageRoot.path
        let found = ReportCatalog.locate(environment: [:], executable: root + "/.build/debug/ctrdb")
        #expect(found.map { URL(fileURLWithPath: $0).standardized.path } == root + "/Queries")
    }

    @Test("compose puts the relations in front of a query, merging WITH and WITH RECURSIVE")
    func compose() throws {
        let scratch = try Self.folder(["_legs.sql": "-- relation: legs\n-- uses: leg\nSELECT x FROM leg\n",
                                       "_leg.sql": "-- relation: leg\n-- materialize: never\nSELECT 1 AS x\n"])
        let catalog = try ReportCatalog(folder: scratch.path)
        let head = "WITH RECURSIVE leg AS NOT MATERIALIZED (\nSELECT 1 AS x\n),\nlegs AS (\nSELECT x FROM leg\n)"
        #expect(catalog.compose("-- name: a\n\nSELECT x FROM legs") == head + "\nSELECT x FROM legs")
        #expect(catalog.compose("-- name: a\nWITH b AS (SELECT x FROM legs) SELECT * FROM b") == head + ",\nb AS (SELECT x FROM legs) SELECT * FROM b")
        #expect(catalog.compose("-- name: a\nWITH RECURSIVE r AS (SELECT 1) SELECT * FROM r, legs") == head + ",\nr AS (SELECT 1) SELECT * FROM r, legs")
        // only the relations a query reads (and those they use): every named parameter must be bound
        #expect(catalog.compose("SELECT x FROM leg -- not legs") == "WITH RECURSIVE leg AS NOT MATERIALIZED (\nSELECT 1 AS x\n)\nSELECT x FROM leg -- not legs")
        #expect(catalog.compose("SELECT 1") == "SELECT 1")
    }

    @Test("the queue list is a JSON array with every character escaped")
    func queueArray() throws {
        #expect(ReportRunner.jsonArray(["a\"b", "c\\d", "e\nf"]) == #"["a\"b","c\\d","e\nf"]"#)
        let data = ReportRunner.jsonArray(["x' OR 1=1 --", "\u{1}"]).data(using: .utf8)!
        #expect(try JSONSerialization.jsonObject(with: data) as? [String] == ["x' OR 1=1 --", "\u{1}"])
    }
}
