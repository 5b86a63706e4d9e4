import Dispatch
import Foundation
import GRDB

/// Packs the raw text of the versions a file adds into blocks of about `blockBytes`
/// (`raw_blocks`, schema version 6), compressed on a thread of their own beside the loader.
/// A version finds its text again by its block, offset and length (`stored_versions.block_id`,
/// `raw_offset`, `raw_length`; the `contact_versions` view takes it out of the block).
///
/// One file at a time: `begin` starts its blocks, `endFile` seals its last one, so a block never
/// holds two files' versions. The blocks are inserted as they come back compressed, and
/// `settle` waits for the rest: the owner settles before its transaction commits, so nothing
/// is pending when it does. (Waiting at each file's end instead cost the 7-day first load
/// 0.37 s of its 7.5 s: the compressing thread's wake-up, on two busy cores.) A transaction
/// rolled back takes the blocks it stored with it, and those still pending are dropped.
final class RawBlockPacker {
    /// A block is sealed once it holds this many bytes of text (a longer record is a block of its own).
    static let blockBytes = 32 * 1024

    private let db: Database
    private let insert: BoundStatement
    private let worker = BlockCompressor()
    private var current: [UInt8] = []
    private var currentId: Int64 = 0
    /// The open transaction's end is watched (`seal`): a rollback drops what is still pending, a
    /// commit must find nothing pending.
    private var watchingTransaction = false

    init(_ db: Database) throws {
        self.db = db
        insert = try BoundStatement(db, "INSERT INTO raw_blocks (id, raw_size, raw) VALUES (?, ?, ?)")
    }

    /// Starts a file's blocks after the last one stored, or after those still being compressed.
    func begin() throws {
        current.removeAll(keepingCapacity: true)
        if worker.isIdle {
            currentId = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) + 1 FROM raw_blocks") ?? 1
        }
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

    /// Seals the file's last block, without waiting for it.
    func endFile() throws {
        if !current.isEmpty { try seal() }
    }

    /// Stores every block sealed so far, once compressed: before the transaction commits.
    func settle() throws {
        try store(worker.takeFinished(waiting: true))
    }

    /// Ends the file and stores its blocks (`endFile`, then `settle`).
    func finish() throws {
        try endFile()
        try settle()
    }

    private func seal() throws {
        if !watchingTransaction {
            watchingTransaction = true
            db.afterNextTransaction(onCommit: { [weak self] _ in
                precondition(self?.worker.isIdle ?? true, "raw_blocks: a transaction committed before its raw text was stored (RawBlockPacker.settle)")
                self?.watchingTransaction = false
            }, onRollback: { [weak self] _ in
                _ = self?.worker.takeFinished(waiting: true)
                self?.watchingTransaction = false
            })
        }
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
    /// Blocks given and not taken yet.
    private var outstanding = 0

    /// Every block given has been taken.
    var isIdle: Bool { lock.withLock { outstanding == 0 } }

    func compress(_ text: [UInt8], id: Int64) {
        lock.withLock { outstanding += 1 }
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
            outstanding -= finished.count
            return finished
        }
    }
}
