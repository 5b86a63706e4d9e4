import Foundation
import GRDB
import Testing
import TestSupport
@testable import CTRKit

/// A new database's first load is built beside its path without a journal and moved into place
/// (`AsideBuild`): it must equal the same load into an existing database, leave nothing beside
/// it, start again over a killed build's file, wait for another run's build, and load in place
/// when a file needs its batch rolled back.
@Suite struct AsideBuildTests {
    /// A generated export: linked legs, re-deliveries and updates, over many files.
    private func export(in folder: TemporaryFolder, journeys: Int = 1200, days: Int = 2) throws -> String {
        let export = folder.file("export")
        var options = GenerateOptions(outputDirectory: export)
        options.journeys = journeys
        options.days = days
        _ = try ExportGenerator(options: options).run()
        return export
    }

    /// The same load into a database that exists (empty), which is loaded in place.
    private func inPlace(_ inputs: [String], at db: String) throws -> IngestSummary {
        _ = try DatabaseOpener.writer(at: db)
        #expect(!FileManager.default.fileExists(atPath: AsideBuild.path(for: db)))
        return try Ingest(databasePath: db).run(inputs: inputs)
    }

    private func everything(_ db: String) throws -> [String: [[String]]] {
        var tables = try snapshot(db)
        tables["journeys"] = try rows(db, "SELECT * FROM journeys ORDER BY chain_id")
        tables["quality_counters"] = try rows(db, "SELECT * FROM quality_counters ORDER BY 1")
        tables["file_deliveries"] = try rows(db, "SELECT * FROM file_deliveries ORDER BY 1")
        tables["pending_chain"] = try rows(db, "SELECT * FROM pending_chain")
        return tables
    }

    @Test func aFirstLoadBuiltAsideEqualsTheSameLoadInPlace() throws {
        let folder = try TemporaryFolder()
        let inputs = [try export(in: folder)]
        let built = folder.file("built.db")
        let summary = try Ingest(databasePath: built).run(inputs: inputs)
        let reference = try inPlace(inputs, at: folder.file("in-place.db"))
        #expect(summary.records == reference.records)
        #expect(summary.newVersions == reference.newVersions)
        #expect(summary.duplicates == reference.duplicates)
        #expect(summary.chainLegs == reference.chainLegs)
        #expect(summary.records > 2000)
        #expect(try everything(built) == everything(folder.file("in-place.db")))
        // The indexes it was loaded without (`DeferredIndexes`) are all there, as defined.
        let indexes = "SELECT name, sql FROM sqlite_schema WHERE type = 'index' ORDER BY name"
        #expect(try rows(built, indexes) == rows(folder.file("in-place.db"), indexes))
        #expect(try Set(rows(built, indexes).map { $0[0] }).isSuperset(of: DeferredIndexes.all))
        // A WAL database like any other, with nothing left beside it.
        #expect(try rows(built, "PRAGMA journal_mode") == [["wal"]])
        #expect(try rows(built, "PRAGMA page_size") == [["8192"]])
        #expect(try rows(built, "PRAGMA user_version") == [[String(Schema.version)]])
        #expect(try rows(built, "PRAGMA integrity_check") == [["ok"]])
        for leftover in ["", "-journal", "-wal"] {
            #expect(!FileManager.default.fileExists(atPath: AsideBuild.path(for: built) + leftover))
        }
    }

    /// Property: running the chain stage ahead, during the load, gives the database that running
    /// it only at the end gives, however eagerly it runs (a step after every leg marked pending,
    /// steps of a few legs, the default), built aside and in place. Legs of a journey arrive in
    /// different files and on different days here, so steps ahead resolve groups that grow later.
    @Test(arguments: [(lag: 0, seeds: 1), (lag: 10, seeds: 7), (lag: 200, seeds: 50), (lag: 5_000, seeds: 1_000)])
    func theChainStageRunAheadGivesTheSameDatabase(lag: Int, seeds: Int) throws {
        let folder = try TemporaryFolder()
        let inputs = [try export(in: folder, journeys: 600, days: 2)]
        var atTheEnd = IngestOptions()
        atTheEnd.chainAhead = .never
        let reference = folder.file("reference.db")
        let referenceSummary = try Ingest(databasePath: reference, options: atTheEnd).run(inputs: inputs)
        #expect(referenceSummary.chainLegsAhead == 0)
        #expect(referenceSummary.chainLegs > 300)
        var ahead = IngestOptions()
        ahead.chainAhead = Ingest.ChainAhead(lag: lag, seeds: seeds)
        for place in ["aside", "in place"] {
            let db = folder.file("\(place).db")
            if place == "in place" { _ = try DatabaseOpener.writer(at: db) }
            let summary = try Ingest(databasePath: db, options: ahead).run(inputs: inputs)
            #expect(summary.records == referenceSummary.records, "\(place)")
            // Steps ran ahead (the default's lag is longer than this export's linked legs).
            #expect((summary.chainLegsAhead > 0) == (lag < 5_000), "\(place)")
            #expect(try everything(db) == everything(reference), "\(place)")
            #expect(try rows(db, "SELECT COUNT(*) FROM pending_chain") == [["0"]])
        }
    }

    @Test func aBuildLeftByAKilledRunIsStartedAgain() throws {
        let folder = try TemporaryFolder()
        let inputs = [try export(in: folder, journeys: 300, days: 1)]
        let db = folder.file("ctr.db")
        // What a killed build leaves: a file of no use, and a journal beside it.
        try folder.write("ctr.db.building", Array(repeating: 0xAB, count: 100_000))
        try folder.write("ctr.db.building-journal", "stale")
        try Ingest(databasePath: db).run(inputs: inputs)
        #expect(try everything(db) == everything({ let other = folder.file("clean.db"); try ingest(inputs, into: other); return other }()))
        #expect(!FileManager.default.fileExists(atPath: AsideBuild.path(for: db)))
        #expect(!FileManager.default.fileExists(atPath: AsideBuild.path(for: db) + "-journal"))
    }

    /// While another run holds the build's lock, a run waits; when the other's database is in
    /// place, it loads into it (here: a database with one file already in).
    @Test func aRunWaitsForAnotherRunsBuildAndLoadsIntoIt() throws {
        let folder = try TemporaryFolder()
        let first = try folder.write("a.json", ctr("x1", next: "x2"))
        let second = try folder.write("b.json", ctr("x2", method: "TRANSFER", previous: "x1"))
        let db = folder.file("ctr.db")
        let lock = open(AsideBuild.path(for: db), O_RDWR | O_CREAT, 0o644)
        #expect(flock(lock, LOCK_EX) == 0)
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<IngestSummary, Error>?
        Thread.detachNewThread {
            var options = IngestOptions()
            options.busyTimeoutSeconds = 20
            result = Result { try Ingest(databasePath: db, options: options).run(inputs: [second]) }
            done.signal()
        }
        Thread.sleep(forTimeInterval: 0.5)
        #expect(result == nil, "the run did not wait")
        // The other run's database reaches its place, then its lock goes.
        let other = folder.file("other.db")
        try ingest([first], into: other)
        #expect(rename(other, db) == 0)
        unlink(AsideBuild.path(for: db))
        close(lock)
        done.wait()
        let summary = try result!.get()
        #expect(summary.records == 1)
        #expect(try rows(db, "SELECT contact_id, chain_id, chain_depth FROM contacts ORDER BY 1") == [["x1", "x1", "0"], ["x2", "x1", "1"]])
    }

    @Test func aRunGivesUpWaitingForAnotherRunsBuildWithAClearError() throws {
        let folder = try TemporaryFolder()
        let input = try folder.write("a.json", ctr("x1"))
        let db = folder.file("ctr.db")
        let lock = open(AsideBuild.path(for: db), O_RDWR | O_CREAT, 0o644)
        defer { close(lock) }
        #expect(flock(lock, LOCK_EX) == 0)
        var options = IngestOptions()
        options.busyTimeoutSeconds = 0.3
        #expect {
            try Ingest(databasePath: db, options: options).run(inputs: [input])
        } throws: { error in
            Ingest.message(for: error).contains("another ingest is creating")
        }
        #expect(!FileManager.default.fileExists(atPath: db))
    }

    /// Nothing can roll a batch back without a journal: a file failing after its first records
    /// sends the run back to a load in place, which rolls back as for any database.
    @Test func aFileFailingInAFirstLoadSendsTheRunInPlace() throws {
        let folder = try TemporaryFolder()
        let good = try folder.write("a.json", ctr("x1") + ctr("x2"))
        let failing = try folder.write("b.json", ctr("y1") + ctr("y2"))
        struct ReadFault: Error {}
        var options = IngestOptions()
        options.faultAfterFirstRecord = { path in if path == failing { throw ReadFault() } }
        let db = folder.file("ctr.db")
        let summary = try Ingest(databasePath: db, options: options).run(inputs: [good, failing])
        #expect(summary.failedFiles == 1)
        #expect(summary.records == 2)
        #expect(try rows(db, "SELECT contact_id FROM contacts ORDER BY 1") == [["x1"], ["x2"]])
        #expect(try rows(db, "SELECT path FROM ingest_files") == [[good]])
        #expect(!FileManager.default.fileExists(atPath: AsideBuild.path(for: db)))
    }

    /// Property: every id inserted is found (no false negatives), whatever the ids; few others
    /// are; and past its capacity the filter answers yes to everything.
    @Test func theIdFilterNeverMissesAnIdItHolds() {
        var generator = SplitMix64(seed: 77)
        for round in 0..<20 {
            var filter = IdFilter(capacity: 2000)
            var held: [String] = []
            for _ in 0..<(round * 100) {
                let id = round % 2 == 0 ? UUID().uuidString.lowercased() : String(generator.next() % 100_000)
                held.append(id)
                filter.insert(id)
            }
            #expect(held.allSatisfy { filter.mayContain($0) })
            if round == 19 {
                let strangers = (0..<10_000).map { "stranger-\($0)" }
                let falsePositives = strangers.filter { filter.mayContain($0) }.count
                #expect(falsePositives < 300, "\(falsePositives) of 10,000")
            }
        }
        var full = IdFilter(capacity: 10)
        for i in 0..<12 { full.insert("id-\(i)") }
        #expect(full.mayContain("never-inserted"))
    }
}
