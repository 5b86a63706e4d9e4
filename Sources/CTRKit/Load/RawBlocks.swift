import Dispatch
import Foundation
import GRDB

/// Packs the raw text of the versions a file adds into blocks of about `blockBytes`
/// (`raw_blocks`, schema version 6), compressed on a thread of their own beside the loader.
/// A version finds its text again by its block, offset and length (`stored_versions.block_id`,
/// `raw_offset`, `raw_length`; the `contact_versions` view takes it out of the block).
///
/// One file at a time: `begin` starts at the next free block id, `finish` waits for the blocks
/// still being compressed and inserts them, so nothing of a file is pending when its
/// transaction commits, and a block never holds two files' versions. A file whose
/// transaction is rolled back leaves its pending blocks behind: the next `begin` drops them.
final class RawBlockPacker {
    /// A block is sealed once it holds this many bytes of text (a longer record is a block of its own).
    static let blockBytes = 32 * 1024

    private let db: Database
    private let insert: BoundStatement
    private let worker = BlockCompressor()
    private var current: [UInt8] = []
    private var currentId: Int64 = 0

    init(_ db: Database) throws {
        self.db = db
        insert = try BoundStatement(db, "INSERT INTO raw_blocks (id, raw_size, raw) VALUES (?, ?, ?)")
    }

    /// Starts a file's blocks after the last one stored (dropping a rolled-back file's).
    func begin() throws {
        _ = worker.takeFinished(waiting: true)
        current.removeAll(keepingCapacity: true)
        currentId = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) + 1 FROM raw_blocks") ?? 1
    }

    /// Adds a version's text to the open block; returns where it is stored.
    func append(_ text: String) throws -> (block: Int64, offset: Int64, length: Int64) {
        var text = text
        return try text.withUTF8 { try append($0) }
    }

    /// Adds bytes (the upgrade's, inflated from a version's own zlib stream) to the open block.
    func append<Bytes: Collection<UInt8>>(_ bytes: Bytes) throws -> (block: Int64, offset: Int64, length: Int64) {
        if current.count >= Self.blockBytes { try seal() }
        let offset = current.count
        current.append(contentsOf: bytes)
        return (currentId, Int64(offset), Int64(current.count - offset))
    }

    /// Seals the open block and stores every block of the file.
    func finish() throws {
        if !current.isEmpty { try seal() }
        try store(worker.takeFinished(waiting: true))
    }

    private func seal() throws {
        worker.compress(current, id: currentId)
        current.removeAll(keepingCapacity: true)
        currentId += 1
        try store(worker.takeFinished(waiting: false))
    }

    private func store(_ blocks: [BlockCompressor.Block]) throws {
        for block in blocks {
            insert.bind(block.id)
            insert.bind(Int64(block.size))
            // Always a blob: `substr` counts a text's characters, a blob's bytes.
            try block.stored.withUnsafeBytes { bytes in
                insert.bind(blob: bytes)
                try insert.run()
            }
        }
    }
}

/// The compressing thread of a `RawBlockPacker`: blocks go in in order and come out in order.
/// Its compressor is used only on its queue; what it finished is handed over under the lock.
private final class BlockCompressor: @unchecked Sendable {
    struct Block {
        var id: Int64
        var size: Int
        var stored: [UInt8]
    }

    private let queue = DispatchQueue(label: "ctrdb.raw-blocks")
    private let compressor = RawTextCompressor()
    private let lock = NSLock()
    private var finished: [Block] = []

    func compress(_ text: [UInt8], id: Int64) {
        queue.async {
            let stored = text.withUnsafeBytes { self.compressor.storedBytes(of: $0) }
            self.lock.withLock { self.finished.append(Block(id: id, size: text.count, stored: stored)) }
        }
    }

    /// The blocks compressed so far; `waiting`: once every block given is.
    func takeFinished(waiting: Bool) -> [Block] {
        if waiting { queue.sync {} }
        return lock.withLock {
            defer { finished = [] }
            return finished
        }
    }
}
