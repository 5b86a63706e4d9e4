import Foundation
import GRDB

/// Where a record came from, as the database records it.
public struct SourceFile: Sendable {
    public var path: String
    /// Hash of the whole file (see `ContentHasher`), as 16 hex digits.
    public var fileHash: String
    public var ingestedAt: String
}

/// What loading one record did.
public enum LoadOutcome: Equatable, Sendable {
    /// A version not seen before; `isCurrent` when it became the contact's current record.
    case newVersion(isCurrent: Bool)
    /// A version already stored, delivered again.
    case repeatedVersion
}

/// The load stage: the versioned upsert of SPEC section 2 (newest wins), attributes, the
/// ingest manifest and rejects. Statements are prepared once per transaction and reused.
public final class ContactStore {
    private let db: Database
    /// What the file being loaded delivered so far, written once when the file ends. It grows
    /// with the records of one file (about 55 bytes each), never with the run.
    private var deliveredEntries = ""
    private let countVersion: BoundStatement
    private let insertRaw: BoundStatement
    private let insertVersion: BoundStatement
    private let upsertContact: BoundStatement
    private let replaceContact: BoundStatement
    private let markPending: BoundStatement
    private let storedLinks: BoundStatement
    private let insertReject: BoundStatement

    public init(_ db: Database) throws {
        self.db = db
        countVersion = try BoundStatement(db, "UPDATE versions SET deliveries = deliveries + 1 WHERE contact_id = ? AND content_hash = ?")
        insertRaw = try BoundStatement(db, "INSERT INTO raw_records (raw_json) VALUES (?)")
        insertVersion = try BoundStatement(db, """
            INSERT INTO versions (contact_id, content_hash, last_update_ts, last_update_ms, source_file, byte_offset, deliveries, raw_id)
            VALUES (?, ?, ?, ?, ?, ?, 1, last_insert_rowid())
            """)
        let columns = Schema.recordColumns
        let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        let updates = columns.dropFirst().map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        let insert = "INSERT INTO contacts (\(columns.joined(separator: ", "))) VALUES (\(placeholders)) ON CONFLICT (contact_id) DO UPDATE SET \(updates)"
        // Newest wins: greater LastUpdateTimestamp, then greater content hash; a missing timestamp loses.
        upsertContact = try BoundStatement(db, insert + """
             WHERE (COALESCE(excluded.last_update_ms, -9223372036854775808), excluded.content_hash)
                 > (COALESCE(contacts.last_update_ms, -9223372036854775808), contacts.content_hash)
            """)
        replaceContact = try BoundStatement(db, insert)
        markPending = try BoundStatement(db, "INSERT OR IGNORE INTO pending_chain (contact_id) VALUES (?)")
        // The stored version's links, and whether a loaded leg names this one (1/0, as text).
        storedLinks = try BoundStatement(db, """
            SELECT c.previous_contact_id, c.next_contact_id, c.initial_contact_id,
                   EXISTS (SELECT 1 FROM contacts WHERE previous_contact_id = ?1) OR EXISTS (SELECT 1 FROM contacts WHERE next_contact_id = ?1)
            FROM (SELECT 1) LEFT JOIN contacts c ON c.contact_id = ?1
            """)
        insertReject = try BoundStatement(db, """
            INSERT INTO rejects (source_file, byte_offset, length, reason, raw_text, ingested_at) VALUES (?, ?, ?, ?, ?, ?)
            """)
    }

    public func load(_ record: ContactRecord, from file: SourceFile) throws -> LoadOutcome {
        let hash = record.contentHashText
        deliveredEntries += record.contactId
        deliveredEntries += "\t"
        deliveredEntries += hash
        deliveredEntries += "\n"

        // A version seen before only counts one more delivery; a new one stores its raw text.
        // (Plain statements: an upsert with RETURNING opens a statement journal on disk per row.)
        countVersion.bind(record.contactId)
        countVersion.bind(hash)
        try countVersion.run()
        guard countVersion.changes == 0 else { return .repeatedVersion }
        try insertRaw.run(bindingLast: record.rawJSON)
        insertVersion.bind(record.contactId)
        insertVersion.bind(hash)
        insertVersion.bind(record.lastUpdate)
        insertVersion.bind(record.lastUpdate?.epochMilliseconds)
        insertVersion.bind(file.path)
        insertVersion.bind(record.offset)
        try insertVersion.run()

        // The links of the version this one may replace: legs it named must be looked at again.
        storedLinks.bind(record.contactId)
        let probe = try storedLinks.firstRowTexts(columns: 4)
        let stored = probe.map { Array($0.prefix(3)) }
        let named = probe?[3] == "1"
        // A leg that names no other leg, was stored without links (or not at all), and that no
        // loaded leg names, is a journey of its own (most legs are): its chain values are
        // written with the row and the chain stage never sees it. Any other leg is left to the
        // chain stage, which sees its whole group.
        var chain: ChainResolver.Resolution?
        if record.previousContactId == nil, record.nextContactId == nil, record.initialContactId == nil,
           stored?.allSatisfy({ $0 == nil }) ?? true, !named {
            chain = ChainResolver.resolveStandalone(record)
        }
        bindContact(record, hash: hash, chain: chain, to: upsertContact)
        try upsertContact.run()
        guard upsertContact.changes == 1 else { return .newVersion(isCurrent: false) }
        if chain == nil { try markChanged(record.contactId) }
        // A parent or next leg the old version named but this one does not loses a neighbour.
        for old in [stored?[0], stored?[1]] {
            if let old, old != record.previousContactId, old != record.nextContactId { try markChanged(old) }
        }
        return .newVersion(isCurrent: true)
    }

    /// Binds the row; chain columns are null (for the chain stage to fill) unless given.
    private func bindContact(_ r: ContactRecord, hash: String, chain: ChainResolver.Resolution?, to s: BoundStatement) {
        s.bind(r.contactId); s.bind(r.instanceARN); s.bind(r.channel); s.bind(r.initiationMethod)
        s.bind(r.initiation); s.bind(r.connectedToSystem); s.bind(r.disconnect); s.bind(r.lastUpdate)
        s.bind(r.disconnectReason); s.bind(r.previousContactId); s.bind(r.nextContactId); s.bind(r.initialContactId)
        s.bind(r.relatedContactId); s.bind(r.queueName); s.bind(r.queueARN); s.bind(r.enqueue); s.bind(r.dequeue)
        s.bind(r.queueDuration); s.bind(r.agentUsername); s.bind(r.agentARN); s.bind(r.connectedToAgent)
        s.bind(r.agentInteraction); s.bind(r.customerHold); s.bind(r.numberOfHolds); s.bind(r.longestHold); s.bind(r.afterContactWork)
        s.bind(r.routingProfile); s.bind(r.customerAddress); s.bind(r.systemAddress); s.bind(r.transferCompleted)
        s.bind(r.lastUpdate?.epochMilliseconds); s.bind(hash); s.bind(r.attributesJSON)
        s.bind(chain)
    }

    /// The current record changed: its chain must be recomputed.
    private func markChanged(_ contactId: String) throws {
        markPending.bind(contactId)
        try markPending.run()
    }

    public func reject(_ chunk: RejectedChunk, from file: SourceFile) throws {
        insertReject.bind(file.path)
        insertReject.bind(chunk.offset)
        insertReject.bind(chunk.length)
        insertReject.bind(chunk.reason)
        insertReject.bind(bytes: chunk.bytes)
        insertReject.bind(file.ingestedAt)
        try insertReject.run()
    }

    // MARK: - The ingest manifest

    public struct IngestedFile: Equatable, Sendable {
        public var size: Int64
        public var contentHash: String
        public var status: String
    }

    public func ingestedFile(at path: String) throws -> IngestedFile? {
        try Row.fetchOne(db, sql: "SELECT size, content_hash, status FROM ingest_files WHERE path = ?", arguments: [path]).map {
            IngestedFile(size: $0["size"], contentHash: $0["content_hash"], status: $0["status"])
        }
    }

    public func recordFile(_ file: SourceFile, size: Int64, records: Int, rejects: Int, damage: String?) throws {
        try db.execute(sql: """
            INSERT OR REPLACE INTO ingest_files (path, size, content_hash, records, rejects, status, error, ingested_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [file.path, size, file.fileHash, records, rejects, damage == nil ? "complete" : "partial", damage, file.ingestedAt])
    }

    /// A file at this path was ingested before with other content: what it contributed is
    /// withdrawn (its rejects, its deliveries, versions no other file delivered), and the
    /// contacts it touched fall back to their newest remaining version.
    public func forgetFile(at path: String, previousHash: String) throws {
        try db.execute(sql: "DELETE FROM rejects WHERE source_file = ?", arguments: [path])
        try db.execute(sql: "DELETE FROM ingest_files WHERE path = ?", arguments: [path])
        let stillListed = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM ingest_files WHERE content_hash = ?)", arguments: [previousHash]) ?? false
        guard !stillListed else { return }
        // One statement per call: in a multi-statement string GRDB hands the arguments to the
        // first statement only, so a repeated `?1` would be missing from the later ones.
        try db.execute(sql: """
            CREATE TEMP TABLE IF NOT EXISTS forgotten (contact_id TEXT NOT NULL, content_hash TEXT NOT NULL, n INTEGER NOT NULL);
            DELETE FROM forgotten;
            """)
        let entries = try String.fetchOne(db, sql: "SELECT entries FROM file_deliveries WHERE file_hash = ?", arguments: [previousHash]) ?? ""
        var counts: [String: Int] = [:]
        for line in entries.split(separator: "\n") { counts[String(line), default: 0] += 1 }
        let insert = try db.makeStatement(sql: "INSERT INTO forgotten (contact_id, content_hash, n) VALUES (?, ?, ?)")
        for (line, n) in counts {
            let parts = line.split(separator: "\t", maxSplits: 1)
            guard parts.count == 2 else { continue }
            try insert.execute(arguments: [String(parts[0]), String(parts[1]), n])
        }
        try db.execute(sql: "DELETE FROM file_deliveries WHERE file_hash = ?", arguments: [previousHash])
        try db.execute(sql: """
            UPDATE versions SET deliveries = deliveries -
                (SELECT n FROM forgotten f WHERE f.contact_id = versions.contact_id AND f.content_hash = versions.content_hash)
            WHERE (contact_id, content_hash) IN (SELECT contact_id, content_hash FROM forgotten);
            DELETE FROM raw_records WHERE id IN (SELECT raw_id FROM versions WHERE deliveries <= 0);
            DELETE FROM versions WHERE deliveries <= 0;
            """)
        let touched = try String.fetchAll(db, sql: "SELECT DISTINCT contact_id FROM forgotten")
        for contactId in touched { try restoreNewestVersion(of: contactId) }
    }

    /// Whether these exact bytes were loaded before (under any path, or from standard input).
    public func delivered(fileHash: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM file_deliveries WHERE file_hash = ?)", arguments: [fileHash]) ?? false
    }

    /// A second path for content already loaded: its manifest row repeats the first one's figures.
    public func recordCopy(of fileHash: String, at path: String, size: Int64, ingestedAt: String) throws {
        try db.execute(sql: """
            INSERT OR REPLACE INTO ingest_files (path, size, content_hash, records, rejects, status, error, ingested_at)
            SELECT ?1, size, content_hash, records, rejects, status, error, ?3 FROM ingest_files WHERE content_hash = ?2 LIMIT 1
            """, arguments: [path, fileHash, ingestedAt])
        if db.changesCount == 0 {
            try db.execute(sql: """
                INSERT OR REPLACE INTO ingest_files (path, size, content_hash, records, rejects, status, error, ingested_at)
                VALUES (?, ?, ?, 0, 0, 'complete', 'the same content as an earlier standard input', ?)
                """, arguments: [path, size, fileHash, ingestedAt])
        }
    }

    /// Records what the file just loaded delivered, under its content hash.
    public func finishFile(fileHash: String) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO file_deliveries (file_hash, entries) VALUES (?, ?)", arguments: [fileHash, deliveredEntries])
        deliveredEntries = ""
    }

    /// Forgets what was loaded of a file whose transaction is rolled back.
    public func discardFile() {
        deliveredEntries = ""
    }

    /// Makes the newest stored version current again (or removes the contact if none is left).
    func restoreNewestVersion(of contactId: String) throws {
        let newest = try Row.fetchOne(db, sql: """
            SELECT raw_json, content_hash FROM contact_versions WHERE contact_id = ?
            ORDER BY COALESCE(last_update_ms, -9223372036854775808) DESC, content_hash DESC LIMIT 1
            """, arguments: [contactId])
        try markChanged(contactId)
        // The legs the outgoing record linked to: a parent must no longer count a withdrawn child.
        try db.execute(sql: """
            INSERT OR IGNORE INTO pending_chain (contact_id)
            SELECT previous_contact_id FROM contacts WHERE contact_id = ?1 AND previous_contact_id IS NOT NULL
            UNION SELECT next_contact_id FROM contacts WHERE contact_id = ?1 AND next_contact_id IS NOT NULL
            """, arguments: [contactId])
        guard let newest else {
            try db.execute(sql: "DELETE FROM contacts WHERE contact_id = ?", arguments: [contactId])
            return
        }
        // The version's hash is stored with it: the record is only decoded for its fields.
        let raw: String = newest[0]
        let record = try ContactDecoder.decode(FramedChunk(kind: .object, bytes: Array(raw.utf8), offset: 0, contentHash: 0))
        bindContact(record, hash: newest[1], chain: nil, to: replaceContact)
        try replaceContact.run()
    }
}
