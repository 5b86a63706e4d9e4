import Foundation
import GRDB
import Testing
import TestSupport
@testable import CTRKit

@Suite struct LakeTests {
    static let catalog: ReportCatalog = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return try! ReportCatalog(folder: root.appendingPathComponent("Queries").path)
    }()

    /// A database with `count` queued legs, one chain each, disconnected on `day`.
    private func database(in folder: TemporaryFolder, legs count: Int, day: String = "2024-03-04") throws -> (path: String, queue: DatabaseQueue) {
        let path = folder.file("ctr.db")
        let queue = try DatabaseQueue(path: path)
        try Schema.migrate(queue)
        try queue.write { db in
            let insert = try db.makeStatement(sql: """
                INSERT INTO contacts (contact_id, content_hash, initiation_method, initiation_ts, enqueue_ts, dequeue_ts, disconnect_ts,
                                      queue_name, customer_address, chain_id, chain_depth, outcome)
                VALUES (?, 'h', 'INBOUND', ?, ?, ?, ?, ?, ?, ?, 0, 'abandoned')
                """)
            for i in 0..<count {
                let id = String(format: "leg-%05d", i)
                let minute = String(format: "%02d", i % 60)
                try insert.execute(arguments: [id, "\(day)T10:\(minute):00Z", "\(day)T10:\(minute):05Z", "\(day)T10:\(minute):35Z",
                                               "\(day)T11:\(minute):00Z", "Q\(i % 3)", String(repeating: "+1555", count: 40), id])
            }
        }
        return (path, queue)
    }

    /// The dates an export rewrites for the chains noted since the last one: each chain's legs
    /// are found through indexes, not by scanning `contacts`.
    @Test func theNotedChainsDatesAreReadThroughIndexes() throws {
        let folder = try TemporaryFolder()
        let (_, queue) = try database(in: folder, legs: 20)
        let plan = try queue.write { db in
            try LakeChangeLog.install(db)
            return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + LakeChangeLog.datesOfNotedChains).map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("USING INDEX contacts_chain") }, "\(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN c") }, "\(plan)")
    }

    @Test func aLargeDayIsSplitIntoFilesOfRowGroups() throws {
        let folder = try TemporaryFolder()
        let (path, _) = try database(in: folder, legs: 3000)
        var lake = Lake(folder: folder.file("lake"))
        lake.layout.rowGroupBytes = 100_000
        lake.layout.fileBytes = 300_000
        let result = try lake.export(databasePath: path, catalog: Self.catalog, compression: .snappy)
        #expect(result.full)
        #expect(result.rows["legs"] == 3000)
        let partition = folder.file("lake/legs/dt=2024-03-04")
        let names = try FileManager.default.contentsOfDirectory(atPath: partition).sorted()
        #expect(names.count > 1)
        #expect(names == (0..<names.count).map(LakeFiles.partName))
        var rows: Int64 = 0
        for name in names {
            let footer = try parquetFooter([UInt8](Data(contentsOf: URL(fileURLWithPath: partition + "/" + name))))
            let groups = footer[4]?.list ?? []
            #expect(groups.count >= 2 || name == names.last, "\(name) holds several row groups")
            #expect(groups.map { $0[3]!.int! }.reduce(0, +) == footer[3]!.int!)
            rows += footer[3]!.int!
        }
        #expect(rows == 3000)
        let manifest = try #require(try LakeManifest.read(from: folder.file("lake")))
        #expect(manifest.tables["legs"]?["2024-03-04"]?.rows == 3000)
        #expect(manifest.tables["legs"]?["2024-03-04"]?.files.map(\.name) == names)
        #expect(manifest.fullExportPending == nil)
    }

    @Test func theChangeLogNotesOldAndNewPartitionsAndChains() throws {
        let folder = try TemporaryFolder()
        let (path, queue) = try database(in: folder, legs: 3)
        _ = try Lake(folder: folder.file("lake")).export(databasePath: path, catalog: Self.catalog)
        let clean = try queue.read { try LakeChangeLog.read($0) }
        #expect(clean.dates.isEmpty && clean.chains.isEmpty)

        try queue.write { db in
            // leg 1 moves to the next day and joins leg 0's chain
            try db.execute(sql: "UPDATE contacts SET disconnect_ts = '2024-03-05T00:10:00Z', chain_id = 'leg-00000' WHERE contact_id = 'leg-00001'")
        }
        let snapshot = try queue.read { try LakeChangeLog.read($0) }
        #expect(Set(snapshot.dates.keys) == ["2024-03-04", "2024-03-05"])
        #expect(Set(snapshot.chains.keys) == ["leg-00001", "leg-00000"])
        #expect(snapshot.dirtyDates == ["2024-03-04", "2024-03-05"])

        // noted again after the snapshot was read: clearing the snapshot keeps it
        try queue.write { db in try db.execute(sql: "UPDATE contacts SET acw_s = 1 WHERE contact_id = 'leg-00002'") }
        try queue.write { db in try LakeChangeLog.clear(snapshot, in: db) }
        let after = try queue.read { try LakeChangeLog.read($0) }
        #expect(Set(after.dates.keys) == ["2024-03-04"])
        #expect(Set(after.chains.keys) == ["leg-00002"])
    }

    @Test func anIncrementalRunRewritesTheChangedDayAndRemovesAnEmptiedOne() throws {
        let folder = try TemporaryFolder()
        let (path, queue) = try database(in: folder, legs: 4)
        let lake = Lake(folder: folder.file("lake"))
        // (journeys is a table the chain stage keeps: a hand edit of contacts refreshes it as the chain stage would)
        try queue.write { db in
            try db.execute(sql: "UPDATE contacts SET disconnect_ts = '2024-03-06T09:00:00Z', initiation_ts = '2024-03-06T08:00:00Z' WHERE contact_id = 'leg-00003'")
            try JourneyRefresh(db).run(["leg-00003"])
        }
        let first = try lake.export(databasePath: path, catalog: Self.catalog)
        #expect(first.full && first.written["legs"] == 2)

        try queue.write { db in
            try db.execute(sql: "DELETE FROM contacts WHERE contact_id = 'leg-00003'")
            try JourneyRefresh(db).run(["leg-00003"])
        }
        let second = try lake.export(databasePath: path, catalog: Self.catalog)
        #expect(!second.full)
        #expect(second.written["legs"] == nil)
        #expect(second.removed["legs"] == 1 && second.removed["journeys"] == 1)
        #expect(!FileManager.default.fileExists(atPath: folder.file("lake/legs/dt=2024-03-06")))
        let manifest = try #require(try LakeManifest.read(from: folder.file("lake")))
        #expect(manifest.tables["legs"]?.keys.sorted() == ["2024-03-04"])

        let third = try lake.export(databasePath: path, catalog: Self.catalog)
        #expect(third.written.isEmpty && third.removed.isEmpty)
    }

    @Test func aFolderThatIsNotALakeIsRefused() throws {
        let folder = try TemporaryFolder()
        let (path, _) = try database(in: folder, legs: 1)
        _ = try folder.write("other/notes.txt", "mine")
        #expect(throws: LakeError.notALake(path: folder.file("other"))) {
            try Lake(folder: folder.file("other")).export(databasePath: path, catalog: Self.catalog)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.file("other")) == ["notes.txt"])
        let installed = try DatabaseQueue(path: path).read { try LakeChangeLog.isInstalled($0) }
        #expect(!installed, "a refused run does not touch the database either")
    }

    @Test func partitionDatesAreCheckedAndRunsAreConsecutive() {
        #expect(LakeCalendar.isDate("2024-02-29"))
        #expect(!LakeCalendar.isDate("2023-02-29"))
        #expect(!LakeCalendar.isDate("../../etc/"))
        #expect(LakeCalendar.dayAfter("2024-12-31") == "2025-01-01")
        #expect(LakeCalendar.runs(of: ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-05"], longest: 2)
                == [["2024-01-01", "2024-01-02"], ["2024-01-03"], ["2024-01-05"]])
    }
}
