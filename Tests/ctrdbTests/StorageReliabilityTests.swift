import Foundation
import GRDB
import Testing
import TestSupport
@testable import CTRKit

/// Storage versions 3 to 5 through the real binary: an existing version 1 or version 3
/// database is upgraded in place by the next ingest, and a run killed during that upgrade or during a checkpoint
/// finishes, on the next run, to the database a clean run makes.
@Suite(.serialized)
struct StorageReliabilityTests {
    @Test func anIngestUpgradesAVersion1DatabaseInPlace() throws {
        let folder = try TemporaryFolder()
        let (days, old) = try folder.version1AfterFirstDay()
        #expect(try rows(old, "PRAGMA user_version") == [["1"]])
        #expect(try rows(old, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'stored_versions'") == [["0"]])

        // The next night: the new binary upgrades the database, then loads the second day.
        let upgrade = try ctrdb(["ingest"] + days + ["--db", old, "--quiet"])
        #expect(upgrade.status == 0, "\(upgrade.stderr)")
        #expect(try rows(old, "PRAGMA user_version") == [[String(Schema.version)]])
        let clean = folder.file("clean.db")
        #expect(try ctrdb(["ingest"] + days + ["--db", clean, "--quiet"]).status == 0)
        #expect(try integrity(of: old) == "ok")
        #expect(try contents(of: old) == contents(of: clean))
        #expect(try rows(old, "SELECT COUNT(*) FROM journeys") != [["0"]])
    }

    /// A database that an earlier release wrote is upgraded by the next ingest, counters
    /// included: version 3 (versions keyed by leg, triggers on them), version 4 (with an index
    /// on `initial_contact_id`), version 5 (one zlib stream per version), whose raw text is
    /// repacked in blocks, version 6 (an index on every leg's `chain_id`), whose chain index
    /// keeps only the legs of other legs' chains, version 7, which gained `named_legs` and
    /// `awaited_legs`, version 8, whose index on `next_contact_id` and those two tables give way
    /// to `leg_links` and `awaited_links`, and version 9 (the release before this one), whose
    /// trigger `leg_arrived` goes (the load takes the awaited links itself).
    @Test(arguments: [3, 4, 5, 6, 7, 8, 9]) func anIngestUpgradesADatabaseOfAnEarlierReleaseInPlace(version: Int) throws {
        let folder = try TemporaryFolder()
        let (days, old) = try folder.version1AfterFirstDay()
        var config = Configuration()
        config.prepareDatabase { db in db.add(function: sqlarUncompress) }
        try Schema.migrate(DatabaseQueue(path: old, configuration: config), upTo: version)
        #expect(try rows(old, "PRAGMA user_version") == [[String(version)]])
        #expect(try rows(old, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'stored_versions'") == [[version == 3 ? "3" : "0"]])
        #expect(try rows(old, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'contacts_initial'") == [[version < 5 ? "1" : "0"]])
        #expect(try rows(old, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'raw_blocks'") == [[version < 6 ? "0" : "1"]])
        #expect(try rows(old, "SELECT sql LIKE '%WHERE%' FROM sqlite_master WHERE name = 'contacts_chain'") == [[version < 7 ? "0" : "1"]])
        #expect(try rows(old, "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('named_legs', 'awaited_legs')") == [[version == 8 ? "2" : "0"]])
        #expect(try rows(old, "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('contacts_previous', 'contacts_next')") == [[version < 9 ? "2" : "1"]])
        #expect(try rows(old, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'leg_arrived'") == [[version == 9 ? "1" : "0"]])

        let upgrade = try ctrdb(["ingest"] + days + ["--db", old, "--quiet"])
        #expect(upgrade.status == 0, "\(upgrade.stderr)")
        #expect(try rows(old, "PRAGMA user_version") == [[String(Schema.version)]])
        #expect(try rows(old, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'stored_versions'") == [["0"]])
        let clean = folder.file("clean.db")
        #expect(try ctrdb(["ingest"] + days + ["--db", clean, "--quiet"]).status == 0)
        #expect(try integrity(of: old) == "ok")
        #expect(try contents(of: old) == contents(of: clean))
        #expect(try rows(old, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'contacts_initial'") == [["0"]])
        #expect(try rows(old, "SELECT sql FROM sqlite_master WHERE name = 'contacts_chain'")
            == [["CREATE INDEX contacts_chain ON contacts(chain_id) WHERE chain_id <> contact_id"]])
        // Version 9: the links, filled from the legs; of version 8's indexes and tables for them, the index readers use.
        #expect(try linksAgainstDefinition(old) == [["0", "0", "0", "0"]])
        #expect(try rows(old, "SELECT COUNT(*) FROM leg_links") == rows(clean, "SELECT COUNT(*) FROM leg_links"))
        #expect(try rows(old, "SELECT COUNT(*) FROM leg_links") != [["0"]])
        #expect(try rows(old, "SELECT contact_id, kind FROM awaited_links ORDER BY 1, 2") == rows(clean, "SELECT contact_id, kind FROM awaited_links ORDER BY 1, 2"))
        #expect(try rows(old, "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('named_legs', 'awaited_legs', 'contacts_next')") == [["0"]])
        #expect(try rows(old, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'contacts_previous'") == [["1"]])
        // Version 10: no trigger on a leg's arrival.
        #expect(try rows(old, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'leg_arrived'") == [["0"]])
        // The first day's versions were repacked: far fewer blocks than versions, none orphaned.
        let packed = try rows(old, "SELECT (SELECT COUNT(*) FROM raw_blocks), (SELECT COUNT(*) FROM stored_versions)")[0].map { Int($0)! }
        #expect(packed[0] > 0 && packed[0] * 5 < packed[1], "\(packed[0]) blocks for \(packed[1]) versions")
        #expect(try rows(old, "SELECT COUNT(*) FROM raw_blocks b WHERE NOT EXISTS (SELECT 1 FROM stored_versions v WHERE v.block_id = b.id)") == [["0"]])
    }

    @Test func aRunKilledDuringTheUpgradeFinishesOnTheNextRun() throws {
        let folder = try TemporaryFolder()
        let days = try folder.generatedDays(journeys: 6000, days: 1)
        let current = folder.file("current.db")
        #expect(try ctrdb(["ingest"] + days + ["--db", current, "--quiet"]).status == 0)
        let old = folder.file("old.db")
        try writeVersion1(old, from: current)
        let expected = try contents(of: current)

        var killedDuringUpgrade = 0
        for delay in [0.05, 0.1, 0.2, 0.35, 0.6] {
            let db = folder.file("killed-\(delay).db")
            try FileManager.default.copyItem(atPath: old, toPath: db)
            // Every file is already in the manifest: the run is the upgrade, then skips.
            let process = try CTRDBBinary.start(["ingest"] + days + ["--db", db, "--quiet"])
            Thread.sleep(forTimeInterval: delay)
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            if process.terminationReason == .uncaughtSignal, try userVersion(of: db) == 1 { killedDuringUpgrade += 1 }
            #expect(try integrity(of: db) == "ok")
            let rerun = try ctrdb(["ingest"] + days + ["--db", db, "--quiet"])
            #expect(rerun.status == 0, "rerun after a kill at \(delay) s: \(rerun.stderr)")
            #expect(try contents(of: db) == expected, "database after a kill at \(delay) s differs from a clean run")
        }
        #expect(killedDuringUpgrade >= 1, "no run was killed before its upgrade committed")
    }

    @Test func aRunKilledDuringCheckpointsFinishesOnTheNextRun() throws {
        let folder = try TemporaryFolder()
        let days = try folder.generatedDays(journeys: 4000, days: 2)
        let clean = folder.file("clean.db")
        #expect(try ctrdb(["ingest"] + days + ["--db", clean, "--quiet"]).status == 0)
        let expected = try contents(of: clean)

        var killedMidRun = 0
        for delay in [0.2, 0.5, 0.9, 1.4, 2.0] {
            let db = folder.file("killed-\(delay).db")
            // A 1 MB log limit: nearly every file ends its batch with a checkpoint and a truncation.
            let process = try CTRDBBinary.start(["ingest"] + days + ["--db", db, "--quiet", "--log-limit-mb", "1"])
            Thread.sleep(forTimeInterval: delay)
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                killedMidRun += 1
            }
            process.waitUntilExit()
            let rerun = try ctrdb(["ingest"] + days + ["--db", db, "--quiet"])
            #expect(rerun.status == 0, "rerun after a kill at \(delay) s: \(rerun.stderr)")
            #expect(try integrity(of: db) == "ok")
            #expect(try contents(of: db) == expected, "database after a kill at \(delay) s differs from a clean run")
        }
        #expect(killedMidRun >= 2, "the run was too short to be killed in the middle")
    }

    @Test func theLogStaysNearItsLimit() throws {
        let folder = try TemporaryFolder()
        let days = try folder.generatedDays(journeys: 4000, days: 2)
        let db = folder.file("bounded.db")
        let process = try CTRDBBinary.start(["ingest"] + days + ["--db", db, "--quiet", "--log-limit-mb", "1"])
        var peak: Int64 = 0
        while process.isRunning {
            let size = (try? FileManager.default.attributesOfItem(atPath: db + "-wal")[.size] as? NSNumber)??.int64Value ?? 0
            peak = max(peak, size)
            Thread.sleep(forTimeInterval: 0.01)
        }
        #expect(process.terminationStatus == 0)
        let database = try FileManager.default.attributesOfItem(atPath: db)[.size] as! NSNumber
        // The limit, the upgrade of the new database and spilled pages; a 64 MB limit lets this run reach about 24 MB.
        #expect(peak < 10 << 20, "log peaked at \(peak) bytes beside a \(database) byte database")
    }
}

// MARK: - Helpers

/// The tables and views an upgrade or a killed run must leave as a clean run does.
private func contents(of db: String) throws -> [String: [[String]]] {
    [
        "contacts": try rows(db, "SELECT * FROM contacts ORDER BY contact_id"),
        "contact_versions": try rows(db, "SELECT contact_id, last_update_ts, content_hash, source_file, byte_offset, deliveries, raw_json FROM contact_versions ORDER BY contact_id, content_hash"),
        "journeys": try rows(db, "SELECT * FROM journeys ORDER BY chain_id"),
        "quality_counters": try rows(db, "SELECT * FROM quality_counters ORDER BY check_name"),
        "ingest_files": try rows(db, "SELECT path, size, content_hash, records, rejects, status, error FROM ingest_files ORDER BY path"),
        "rejects": try rows(db, "SELECT source_file, byte_offset, reason FROM rejects ORDER BY source_file, byte_offset"),
        "pending": try rows(db, "SELECT COUNT(*) FROM pending_chain"),
        "indexes": try rows(db, "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"),
    ]
}

/// `PRAGMA user_version` through a writable connection: a killed run leaves a log to recover.
private func userVersion(of db: String) throws -> Int {
    try DatabaseQueue(path: db).read { try Int.fetchOne($0, sql: "PRAGMA user_version") ?? -1 }
}

private func integrity(of db: String) throws -> String {
    try rows(db, "PRAGMA integrity_check").first?.first ?? ""
}

/// Writes `path` as the first release did (schema version 1, its DDL kept in `Schema`), with
/// the contents of a database of this release: what the old binary had left after the same runs.
func writeVersion1(_ path: String, from current: String) throws {
    var config = Configuration()
    config.prepareDatabase { db in db.add(function: sqlarUncompress) }
    let queue = try DatabaseQueue(path: path, configuration: config)
    try queue.writeWithoutTransaction { db in
        try db.execute(sql: "ATTACH DATABASE ? AS current", arguments: [current])
        try db.inTransaction {
            try Schema.createVersion1(db)
            try db.execute(sql: """
                INSERT INTO main.contacts SELECT * FROM current.contacts ORDER BY rowid;
                CREATE TEMP TABLE old_versions AS
                    SELECT row_number() OVER (ORDER BY source_file, byte_offset) AS id, * FROM current.contact_versions;
                INSERT INTO main.raw_records (id, raw_json) SELECT id, raw_json FROM old_versions;
                INSERT INTO main.versions (contact_id, content_hash, last_update_ts, last_update_ms, source_file, byte_offset, deliveries, raw_id)
                    SELECT contact_id, content_hash, last_update_ts, last_update_ms, source_file, byte_offset, deliveries, id FROM old_versions;
                INSERT INTO main.file_deliveries SELECT * FROM current.file_deliveries;
                INSERT INTO main.ingest_files SELECT * FROM current.ingest_files;
                INSERT INTO main.rejects SELECT * FROM current.rejects;
                INSERT INTO main.metadata SELECT * FROM current.metadata;
                INSERT INTO main.pending_chain SELECT * FROM current.pending_chain;
                PRAGMA main.user_version = 1;
                """)
            return .commit
        }
        try db.execute(sql: "DETACH DATABASE current")
    }
}

extension TemporaryFolder {
    /// Two generated days, and a version 1 database holding the first, as the first release left it.
    fileprivate func version1AfterFirstDay() throws -> (days: [String], database: String) {
        let days = try generatedDays(journeys: 1500, days: 2)
        let firstDay = file("first.db")
        #expect(try ctrdb(["ingest", days[0], "--db", firstDay, "--quiet"]).status == 0)
        let old = file("old.db")
        try writeVersion1(old, from: firstDay)
        return (days, old)
    }

    /// An export from `ctrdb generate`; returns its day folders in order.
    fileprivate func generatedDays(journeys: Int, days: Int) throws -> [String] {
        let out = file("export")
        let result = try ctrdb(["generate", "--out", out, "--journeys", String(journeys), "--days", String(days), "--seed", "3", "--quiet"])
        #expect(result.status == 0, "\(result.stderr)")
        let enumerator = FileManager.default.enumerator(atPath: out)!
        let folders = enumerator.compactMap { $0 as? String }.filter { $0.split(separator: "/").count == 3 }
        return folders.sorted().map { out + "/" + $0 }
    }
}

private func ctrdb(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    let result = try execute(arguments, in: FileManager.default.temporaryDirectory)
    return (result.exitCode, result.stdout, result.stderr)
}
