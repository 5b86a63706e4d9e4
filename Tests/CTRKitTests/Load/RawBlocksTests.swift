import Foundation
import GRDB
import Testing
@testable import CTRKit
import TestSupport

/// Raw text packed in compressed blocks (schema version 6): every version's bytes come back
/// exactly, whatever the texts and however they fall into files and blocks.
@Suite struct RawBlocksTests {
    /// One version's text out of its block, as the `contact_versions` view takes it.
    private static let extract = "SELECT CAST(substr(sqlar_uncompress(raw, raw_size), ?2 + 1, ?3) AS TEXT) FROM raw_blocks WHERE id = ?1"

    /// A text of `length` bytes or so, JSON-like, with multi-byte characters now and then
    /// (which `substr` on a text would count as one).
    private static func text(length: Int, using random: inout SplitMix64) -> String {
        let pieces = ["{\"ContactId\":\"", "\"Queue\":{\"Name\":\"Ventes\"}", "é", "日本語", "🙂", "\\n", " ", "\"ARN\":\"arn:aws:connect:eu-west-2:123\"", "}"]
        var text = ""
        while text.utf8.count < length {
            text += pieces[Int(random.next() % UInt64(pieces.count))]
            text += String(random.next() % 1_000_000)
        }
        return text
    }

    /// Property: for random texts (empty, short, longer than a block) cut into random files,
    /// every text read back from its block, in a shuffled order, is the text stored. Both
    /// `sqlar_uncompress` functions read it: ctrdb's (which keeps the last block it inflated)
    /// and the sqlite3 shell's, as the README's recipe writes it for other clients.
    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64]) func everyTextComesBackByteForByte(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let folder = try TemporaryFolder()
        let path = folder.file("ctr.db")
        let queue = try Ingest.openDatabase(at: path)
        var stored: [(text: String, block: Int64, offset: Int64, length: Int64)] = []
        var fileBlocks: [ClosedRange<Int64>] = []
        try queue.write { db in
            let packer = try RawBlockPacker(db)
            for _ in 0..<(1 + random.next() % 6) {
                try packer.begin()
                var blocks: [Int64] = []
                for _ in 0..<(random.next() % 60) {
                    let roll = random.next() % 100
                    let length = roll < 3 ? 0 : roll < 8 ? Int(40_000 + random.next() % 60_000) : Int(random.next() % 6_000)
                    let text = Self.text(length: length, using: &random)
                    let place = try packer.append(text)
                    stored.append((text, place.block, place.offset, place.length))
                    blocks.append(place.block)
                }
                try packer.finish()
                if let first = blocks.first, let last = blocks.last { fileBlocks.append(first...last) }
            }
        }
        // Blocks are numbered in order, and no block holds two files' texts.
        for (earlier, later) in zip(fileBlocks, fileBlocks.dropFirst()) { #expect(earlier.upperBound < later.lowerBound) }
        // A block is sealed once it holds 32 KB: only a file's last block is smaller.
        let sizes = try queue.read { db in try Int64.fetchAll(db, sql: "SELECT raw_size FROM raw_blocks ORDER BY id") }
        let lastBlocks = Set(fileBlocks.map(\.upperBound))
        let blockIds = try queue.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM raw_blocks ORDER BY id") }
        #expect(blockIds == Array(Set(stored.map(\.block))).sorted())
        for (id, size) in zip(blockIds, sizes) where !lastBlocks.contains(id) {
            #expect(size >= Int64(RawBlockPacker.blockBytes), "block \(id) is sealed at \(size) bytes")
        }

        var order = Array(stored.indices)
        order.shuffle(using: &random)
        try queue.read { db in
            for index in order {
                let version = stored[index]
                let text = try String.fetchOne(db, sql: Self.extract, arguments: [version.block, version.offset, version.length])
                #expect(text == version.text, "text \(index) of block \(version.block)")
            }
        }
        let shell = try DatabaseQueue(path: path, configuration: {
            var config = Configuration()
            config.readonly = true
            config.prepareDatabase { db in db.add(function: sqlarUncompress) }
            return config
        }())
        try shell.read { db in
            for index in order.prefix(40) {
                let version = stored[index]
                let text = try String.fetchOne(db, sql: Self.extract, arguments: [version.block, version.offset, version.length])
                #expect(text == version.text)
            }
        }
    }

    /// A file rolled back with its transaction leaves no block, and the next file's blocks
    /// start after the last one committed.
    @Test func aRolledBackFileLeavesNoBlock() throws {
        let folder = try TemporaryFolder()
        let queue = try Ingest.openDatabase(at: folder.file("ctr.db"))
        var random = SplitMix64(seed: 9)
        try queue.write { db in
            let packer = try RawBlockPacker(db)
            try packer.begin()
            _ = try packer.append("kept")
            try packer.finish()
        }
        struct Failure: Error {}
        #expect(throws: Failure.self) {
            try queue.write { db in
                let packer = try RawBlockPacker(db)
                try packer.begin()
                // Enough text to seal blocks that are compressed and stored before the failure.
                for _ in 0..<40 { _ = try packer.append(Self.text(length: 4_000, using: &random)) }
                throw Failure()
            }
        }
        let place = try queue.write { db in
            let packer = try RawBlockPacker(db)
            try packer.begin()
            let place = try packer.append("next")
            try packer.finish()
            return place
        }
        #expect(place.block == 2)
        #expect(try rows(folder.file("ctr.db"), "SELECT id, raw_size FROM raw_blocks ORDER BY id") == [["1", "4"], ["2", "4"]])
    }

    /// As a load uses it: one packer over several transactions, each file only ended
    /// (`endFile`) and the transaction settled before it commits. What a settled transaction
    /// stored is there, a rolled-back one leaves no block (even those still being compressed
    /// when it ended), and the next file's blocks follow the last one stored.
    @Test func filesEndWithoutWaitingAndARollbackDropsWhatWasPending() throws {
        let folder = try TemporaryFolder()
        let queue = try Ingest.openDatabase(at: folder.file("ctr.db"))
        var random = SplitMix64(seed: 11)
        let big = (0..<3).map { _ in Self.text(length: 30_000, using: &random) }
        struct Failure: Error {}
        try queue.writeWithoutTransaction { db in
            let packer = try RawBlockPacker(db)
            var places: [(text: String, block: Int64, offset: Int64, length: Int64)] = []
            try db.inTransaction {
                for text in big + ["small"] {
                    try packer.begin()
                    let place = try packer.append(text)
                    places.append((text, place.block, place.offset, place.length))
                    try packer.endFile()
                }
                try packer.settle()
                return .commit
            }
            #expect(throws: Failure.self) {
                try db.inTransaction {
                    for text in big {
                        try packer.begin()
                        _ = try packer.append(text)
                        try packer.endFile()
                    }
                    throw Failure()
                }
            }
            try db.inTransaction {
                try packer.begin()
                let place = try packer.append("after")
                places.append(("after", place.block, place.offset, place.length))
                try packer.endFile()
                try packer.settle()
                return .commit
            }
            #expect(places.map(\.block) == [1, 2, 3, 4, 5])
            for place in places {
                let back = try String.fetchOne(db, sql: Self.extract, arguments: [place.block, place.offset, place.length])
                #expect(back == place.text)
            }
        }
        #expect(try rows(folder.file("ctr.db"), "SELECT COUNT(*), MAX(id) FROM raw_blocks") == [["5", "5"]])
    }

    /// On a generated export, blocks keep the raw text at under a fifth of its size (one zlib
    /// stream per record left it at 41%), and every version's raw JSON names its contact.
    @Test func aDaysRawTextIsCompressedInBlocks() throws {
        let folder = try TemporaryFolder()
        let db = try generatedDatabase(in: folder, journeys: 1500, days: 1)
        let figures = try rows(db, "SELECT COUNT(*), SUM(raw_size), SUM(length(raw)) FROM raw_blocks")[0].map { Double($0)! }
        #expect(figures[0] > 10)
        #expect(figures[2] / figures[1] < 0.2, "raw text stored at \(figures[2] / figures[1]) of its size")
        let versions = try rows(db, "SELECT COUNT(*) FROM stored_versions")[0][0]
        #expect(try rows(db, "SELECT COUNT(*), SUM(json_extract(raw_json, '$.ContactId') = contact_id) FROM contact_versions") == [[versions, versions]])
    }
}
