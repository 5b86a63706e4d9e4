import Foundation
import GRDB
import Testing
@testable import CTRKit
import TestSupport

@Suite struct ContactStoreTests {
    private let folder: TemporaryFolder
    private let queue: DatabaseQueue
    private var db: String { folder.file("ctr.db") }
    private let ingestedAt = "2024-01-01T00:00:00Z"

    init() throws {
        folder = try TemporaryFolder()
        queue = try Ingest.openDatabase(at: folder.file("ctr.db"))
    }

    private func record(_ text: String, offset: Int64 = 0) throws -> ContactRecord {
        let bytes = [UInt8](text)
        return try ContactDecoder.decode(FramedChunk(kind: .object, bytes: bytes, offset: offset, contentHash: RecordFramer.contentHash(of: bytes)))
    }

    @discardableResult
    private func load(_ text: String, offset: Int64 = 0) throws -> LoadOutcome {
        let r = try record(text, offset: offset)
        return try queue.write { db in
            let store = try ContactStore(db)
            let file = try store.beginFile(path: "f.json", ingestedAt: ingestedAt)
            let outcome = try file.load(r)
            try file.finish(fileHash: String(format: "%016llx", offset), size: Int64(text.utf8.count), damage: nil)
            try store.settle()
            return outcome
        }
    }

    @Test func newVersionThenRepeatAndTheFilesDeliveryList() throws {
        let text = ctr("a")
        let r0 = try record(text, offset: 0), r1 = try record(text, offset: 100)
        let outcomes = try queue.write { db -> [LoadOutcome] in
            let store = try ContactStore(db)
            let file = try store.beginFile(path: "f.json", ingestedAt: ingestedAt)
            let outcomes = [try file.load(r0), try file.load(r1)]
            #expect(try Manifest(db).delivered(fileHash: "00000000000000aa") == false)
            try file.finish(fileHash: "00000000000000aa", size: 10, damage: nil)
            #expect(try Manifest(db).delivered(fileHash: "00000000000000aa"))
            try store.settle()
            return outcomes
        }
        #expect(outcomes == [.newVersion(isCurrent: true), .repeatedVersion])
        #expect(try rows(db, "SELECT deliveries FROM contact_versions") == [["2"]])
        let hash = r0.contentHashText
        #expect(try rows(db, "SELECT entries FROM file_deliveries") == [["a\t\(hash)\na\t\(hash)\n"]])
    }

    @Test func newestWinsAndOlderVersionIsKept() throws {
        #expect(try load(ctr("a", queue: "New", lastUpdate: "2024-03-12T10:20:00Z"), offset: 0) == .newVersion(isCurrent: true))
        #expect(try load(ctr("a", queue: "Old", lastUpdate: "2024-03-12T10:10:00Z"), offset: 50) == .newVersion(isCurrent: false))
        #expect(try rows(db, "SELECT queue_name, last_update_ts FROM contacts") == [["New", "2024-03-12T10:20:00Z"]])
        #expect(try rows(db, "SELECT COUNT(*) FROM contact_versions") == [["2"]])
    }

    @Test func aNewVersionMovesTheIndexEntriesOfWhatItChangesAndOnlyThen() throws {
        func found(_ index: String, _ condition: String) throws -> [[String]] {
            try rows(db, "SELECT contact_id FROM contacts INDEXED BY \(index) WHERE \(condition)")
        }
        try load(ctr("a", enqueue: "2024-03-12T10:00:00Z", lastUpdate: "2024-03-12T10:10:00Z"))
        try load(ctr("a", previous: "p", enqueue: "2024-03-12T10:02:00Z", answered: true, lastUpdate: "2024-03-12T10:20:00Z"), offset: 400)
        #expect(try found("contacts_enqueue", "enqueue_ts = '2024-03-12T10:02:00Z'") == [["a"]])
        #expect(try found("contacts_enqueue", "enqueue_ts = '2024-03-12T10:00:00Z'") == [])
        let awaited = "SELECT a.contact_id, c.contact_id, a.kind FROM awaited_links a JOIN contacts c ON c.rowid = a.namer_id"
        #expect(try rows(db, awaited) == [["p", "a", "0"]])
        #expect(try found("contacts_connected_to_agent", "connected_to_agent_ts IS NOT NULL") == [["a"]])
        // An older version changes nothing; a newer one without the link drops its entry.
        try load(ctr("a", previous: "q", enqueue: "2024-03-12T10:03:00Z", lastUpdate: "2024-03-12T10:15:00Z"), offset: 800)
        #expect(try rows(db, awaited) == [["p", "a", "0"]])
        try load(ctr("a", enqueue: "2024-03-12T10:02:00Z", lastUpdate: "2024-03-12T10:30:00Z"), offset: 1200)
        #expect(try rows(db, awaited) == [])
        #expect(try found("contacts_connected_to_agent", "connected_to_agent_ts IS NOT NULL") == [])
        #expect(try found("contacts_enqueue", "enqueue_ts = '2024-03-12T10:02:00Z'") == [["a"]])
        #expect(try rows(db, "SELECT last_update_ts, chain_id FROM contacts") == [["2024-03-12T10:30:00Z", "a"]])
        #expect(try rows(db, "PRAGMA integrity_check") == [["ok"]])
    }

    @Test func indexedColumnsAreTheColumnsTheIndexesOfContactsAndItsUpdateTriggersName() throws {
        let indexes = try rows(db, "SELECT sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'contacts' AND sql IS NOT NULL")
        // a trigger's UPDATE OF list, not its body
        let triggers = try rows(db, "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'contacts'").compactMap { row in
            row[0].range(of: "UPDATE OF [a-z_, ]+ ON", options: .regularExpression).map { String(row[0][$0]) }
        }
        #expect(triggers.count == 1)
        let definitions = (indexes.map { $0[0] } + triggers).joined(separator: "\n")
        let named = Schema.recordColumns.filter { column in
            definitions.range(of: "\\b\(column)\\b", options: .regularExpression) != nil
        }
        #expect(Set(named) == Set(IndexedColumns.all.map(\.name)).union(["contact_id"]))
    }

    @Test func subSecondLastUpdateDecides() throws {
        try load(ctr("a", queue: "Later", lastUpdate: "2024-03-12T10:20:00.500Z"))
        try load(ctr("a", queue: "Earlier", lastUpdate: "2024-03-12T10:20:00.100Z"), offset: 9)
        #expect(try rows(db, "SELECT queue_name FROM contacts") == [["Later"]])
    }

    @Test func missingLastUpdateLoses() throws {
        try load(#"{"ContactId":"a","Channel":"NO_TS"}"#)
        try load(#"{"ContactId":"a","Channel":"WITH_TS","LastUpdateTimestamp":"2000-01-01T00:00:00Z"}"#, offset: 40)
        try load(#"{"ContactId":"a","Channel":"NO_TS_AGAIN"}"#, offset: 90)
        #expect(try rows(db, "SELECT channel FROM contacts") == [["WITH_TS"]])
    }

    @Test func attributesFollowTheCurrentRecord() throws {
        try load(ctr("a", lastUpdate: "2024-03-12T10:10:00Z", attributes: ["old": "1", "k": "v1"]))
        try load(ctr("a", lastUpdate: "2024-03-12T10:20:00Z", attributes: ["k": "v2", "K": "upper"]), offset: 500)
        try load(ctr("a", lastUpdate: "2024-03-12T10:15:00Z", attributes: ["stale": "x"]), offset: 1000)
        #expect(try rows(db, "SELECT key, value FROM attributes ORDER BY key") == [["K", "upper"], ["k", "v2"]])
    }

    @Test func rejectKeepsTextOrBytes() throws {
        try queue.write { db in
            let file = try ContactStore(db).beginFile(path: "f.json", ingestedAt: ingestedAt)
            try file.reject(RejectedChunk(offset: 7, length: 3, reason: "r", bytes: [UInt8]("abc")))
            try file.reject(RejectedChunk(offset: 20, length: 2, reason: "bin", bytes: [0xFF, 0x00]))
        }
        let got = try rows(db, "SELECT source_file, byte_offset, length, reason, raw_text FROM rejects ORDER BY byte_offset")
        #expect(got
                == [["f.json", "7", "3", "r", "abc"], ["f.json", "20", "2", "bin", "blob:ff00"]])
    }

    @Test func forgetFileWithdrawsItsDeliveriesAndRestoresTheNewestRemaining() throws {
        let old = try record(ctr("a", queue: "Old", lastUpdate: "2024-03-12T10:10:00Z"))
        let new = try record(ctr("a", queue: "New", lastUpdate: "2024-03-12T10:20:00Z"))
        let onlyHere = try record(ctr("only-here"), offset: 700)
        try queue.write { db in
            let store = try ContactStore(db)
            let other = try store.beginFile(path: "g.json", ingestedAt: ingestedAt)
            _ = try other.load(old)
            try other.finish(fileHash: "00000000000000bb", size: 1, damage: nil)
            let file = try store.beginFile(path: "f.json", ingestedAt: ingestedAt)
            _ = try file.load(new)
            _ = try file.load(onlyHere)
            try file.finish(fileHash: "00000000000000aa", size: 1, damage: nil)
            try db.execute(sql: "DELETE FROM pending_chain")
            // (the withdrawal settles the blocks itself: it removes and reads back versions)
            try Manifest(db).withdraw(path: "f.json", previousHash: "00000000000000aa", store: store)
            try store.settle()
        }
        #expect(try rows(db, "SELECT contact_id, queue_name FROM contacts") == [["a", "Old"]])
        #expect(try rows(db, "SELECT contact_id, source_file FROM contact_versions") == [["a", "g.json"]])
        // f.json's block went with its last version; g.json's stays.
        #expect(try rows(db, "SELECT COUNT(*) FROM raw_blocks") == [["1"]])
        #expect(try rows(db, "SELECT COUNT(*) FROM stored_versions v LEFT JOIN raw_blocks b ON b.id = v.block_id WHERE b.id IS NULL") == [["0"]])
        #expect(try rows(db, "SELECT path FROM ingest_files") == [["g.json"]])
        #expect(try rows(db, "SELECT contact_id FROM pending_chain ORDER BY 1") == [["a"], ["only-here"]])
    }

    @Test func manifestRoundTrip() throws {
        try queue.write { db in
            let manifest = Manifest(db)
            #expect(try manifest.ingestedFile(at: "f.json") == nil)
            let file = IngestedFile(path: "f.json", size: 42, contentHash: "00000000000000aa", records: 3, rejects: 1, status: "partial", error: "cut")
            try manifest.record(file, ingestedAt: ingestedAt)
            #expect(try manifest.ingestedFile(at: "f.json") == file)
            #expect(try Int.fetchOne(db, sql: "SELECT count FROM quality_counters WHERE check_name = 'partial_files'") == 1)
            try manifest.record(IngestedFile(path: "f.json", size: 42, contentHash: "00000000000000ab", records: 3, rejects: 0, status: "complete"), ingestedAt: ingestedAt)
        }
        #expect(try rows(db, "SELECT count FROM quality_counters WHERE check_name = 'partial_files'") == [["0"]])
    }
}
