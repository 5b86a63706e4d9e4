import Foundation
import GRDB

/// What loading one record did.
public enum LoadOutcome: Equatable, Sendable {
    /// A version not seen before; `isCurrent` when it became the contact's current record.
    case newVersion(isCurrent: Bool)
    /// A version already stored, delivered again.
    case repeatedVersion
}

/// The load stage: the versioned upsert of SPEC section 2 (newest wins), attributes and
/// rejects. Statements are prepared once per run and reused.
///
/// A file's records go through a `FileLoad`: `beginFile` starts one, `finish` writes what the
/// file delivered and its manifest row. `settle` stores the raw text still being compressed,
/// before the transaction commits. A file whose transaction is rolled back simply drops its
/// `FileLoad`.
public final class ContactStore {
    let db: Database
    private let blocks: RawBlockPacker
    private let probe: BoundStatement
    private let countVersion: BoundStatement
    private let insertVersion: BoundStatement
    private let insertContact: BoundStatement
    private let replaceContact: BoundStatement
    /// A new version of a stored leg: `UPDATE`s by rowid, one for each set of indexed columns
    /// whose value changes (`IndexedColumns`), prepared when first needed.
    private var updateContact: [IndexedColumns: BoundStatement] = [:]
    private let markPending: BoundStatement
    private let conflictProbe: BoundStatement
    private let markConflict: BoundStatement
    private let insertJourney: BoundStatement
    private let updateJourney: JourneyUpdate
    private let insertReject: BoundStatement
    /// A new leg that stored legs name (`SchemaV10`).
    private let arrive: BoundStatement
    private let arrived: BoundStatement
    /// Rewrites the journeys a file's legs changed (`FileLoad.finish`, withdrawals).
    let journeys: JourneyRefresh
    /// Set when the database held no legs before this run (a new database built aside): the ids
    /// loaded or named since, so that a record of a leg never met skips the probe.
    var newIds: IdFilter?
    /// How many times a leg was marked pending for the chain stage (`Ingest` runs it ahead).
    var legsMarkedPending = 0

    public init(_ db: Database) throws {
        self.db = db
        // The leg's key and the stored version's links and resolved chain (none for a placeholder's,
        // which the chain stage rewrites with its journey anyway), whether a loaded leg names this
        // one (1/0, `SchemaV9`), and the legs of the journey that bears its id.
        // Then the stored values of the indexed columns, in `IndexedColumns.all`'s order.
        probe = try BoundStatement(db, """
            SELECT c.rowid, c.previous_contact_id, c.next_contact_id, c.initial_contact_id,
                   CASE WHEN c.chain_depth IS NOT NULL THEN c.chain_id END,
                   \(SchemaV9.isNamed(rowid: "c.rowid")),
                   COALESCE((SELECT legs FROM journeys WHERE rowid = c.rowid), (SELECT legs FROM journeys WHERE chain_id = ?1 AND rowid < 0)),
                   \(IndexedColumns.all.map { "c.\($0.name)" }.joined(separator: ", "))
            FROM (SELECT 1) LEFT JOIN contacts c ON c.contact_id = ?1
            """)
        countVersion = try BoundStatement(db, "UPDATE stored_versions SET deliveries = deliveries + 1 WHERE leg_id = ? AND content_hash = ?")
        insertVersion = try BoundStatement(db, """
            INSERT INTO stored_versions (leg_id, content_hash, last_update_ts, last_update_ms, file_id, byte_offset, deliveries,
                                         block_id, raw_offset, raw_length)
            VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?)
            """)
        let columns = Schema.recordColumns
        let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        let values = "INTO contacts (\(columns.joined(separator: ", "))) VALUES (\(placeholders))"
        // A leg the probe did not find is new: a plain INSERT. OR FAIL, here and in the updates of
        // stored legs: a statement that fires a trigger which writes (`SchemaV9`'s links) and may
        // abort halfway is given a statement journal, and an upsert always may: it copied the
        // pages each statement changed to a temporary file, 118k writes in a night into 3 days.
        // FAIL keeps what the statement changed before an error, and an error fails the file,
        // whose batch is rolled back whole.
        insertContact = try BoundStatement(db, "INSERT OR FAIL " + values)
        // A withdrawal makes a stored leg's newest version current again (few legs).
        let updates = columns.dropFirst().map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        replaceContact = try BoundStatement(db, "INSERT \(values) ON CONFLICT (contact_id) DO UPDATE SET \(updates)")
        markPending = try BoundStatement(db, "INSERT OR IGNORE INTO pending_chain (contact_id) VALUES (?)")
        conflictProbe = try BoundStatement(db, QualityCounters.conflictProbe)
        markConflict = try BoundStatement(db, QualityCounters.markConflict)
        insertJourney = try BoundStatement(db, JourneyStore.insert)
        updateJourney = try JourneyUpdate(db)
        blocks = try RawBlockPacker(db)
        journeys = try JourneyRefresh(db)
        arrive = try BoundStatement(db, SchemaV10.arrive)
        arrived = try BoundStatement(db, SchemaV10.arrived)
        insertReject = try BoundStatement(db, """
            INSERT INTO rejects (source_file, byte_offset, length, reason, raw_text, ingested_at) VALUES (?, ?, ?, ?, ?, ?)
            """)
    }

    /// Starts loading one file's records (inside the caller's transaction).
    public func beginFile(path: String, ingestedAt: String) throws -> FileLoad {
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO source_paths (path) VALUES (?)").execute(arguments: [path])
        let fileId = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM source_paths WHERE path = ?"), arguments: [path])!
        try blocks.begin()
        return FileLoad(store: self, path: path, fileId: fileId, ingestedAt: ingestedAt)
    }

    fileprivate func load(_ record: ContactRecord, into file: FileLoad) throws -> LoadOutcome {
        let hash = record.contentHashText
        file.noteDelivery(record.contactId, hash)

        let stored = try probeStored(record)
        var legId = stored?[0].flatMap { Int64($0) }
        let storedLinks = legId == nil ? nil : stored.map { Array($0[1...3]) }
        let storedChain = legId == nil ? nil : stored?[4]
        let named = stored?[5] == "1"
        let journeyLegs = stored?[6].flatMap { Int($0) }

        // A version seen before only counts one more delivery.
        // (Plain statements: an upsert with RETURNING opens a statement journal on disk per row.)
        if let legId {
            countVersion.bind(legId)
            countVersion.bind(hash)
            try countVersion.run()
            if countVersion.changes > 0 {
                file.noteRedelivery(of: record.contactId)
                return .repeatedVersion
            }
        }
        // A leg that names no other leg, was stored without links (or not at all), and that no
        // loaded leg names, is a journey of its own (most legs are): its chain values are
        // written with the row and the chain stage never sees it. Any other leg is left to the
        // chain stage, which sees its whole group. (A leg that names it only as InitialContactId
        // is not in its group, but shows in the journey row that bears its id.)
        var chain: ChainResolver.Resolution?
        if record.previousContactId == nil, record.nextContactId == nil, record.initialContactId == nil,
           storedLinks?.allSatisfy({ $0 == nil }) ?? true, !named {
            chain = ChainResolver.resolveStandalone(record)
        }
        let isCurrent: Bool
        if let legId, let stored {
            // A linked leg keeps its stored chain until the chain stage resolves it again: an
            // unchanged chain_id leaves its index entry alone.
            var resolution = chain ?? ChainResolver.placeholder(for: record)
            if chain == nil, let storedChainId = stored[Self.probeColumns + IndexedColumns.chainIdPosition] {
                resolution.chainId = storedChainId
            }
            let changed = IndexedColumns.changed(record, chainId: resolution.chainId, stored: stored[Self.probeColumns...])
            let update = try updateStatement(setting: changed)
            bindContact(record, hash: hash, chain: resolution, to: update)
            update.bind(legId)
            try update.run()
            isCurrent = update.changes == 1
            try noteConflict(record, hash: hash, legId: legId)
        } else {
            bindContact(record, hash: hash, chain: chain ?? ChainResolver.placeholder(for: record), to: insertContact)
            try insertContact.run()
            isCurrent = true
            legId = insertContact.lastInsertedRowID
            if named { try takeAwaitedLinks(record.contactId, legId: legId!) }
        }
        try insertVersion(record, hash: hash, legId: legId!, fileId: file.fileId)
        guard isCurrent else { return .newVersion(isCurrent: false) }

        if let chain {
            if journeyLegs == nil {
                // A journey of one leg: its row is written from the record, at the leg's rowid.
                JourneyStore.bindStandalone(record, legId: legId!, to: insertJourney)
                try insertJourney.run()
            } else if journeyLegs == 1 && storedChain == record.contactId {
                // (a row still kept without its head, should one be: the refresh moves it)
                if try !updateJourney.run({ JourneyStore.bindStandalone(record, legId: legId!, to: $0) }) {
                    file.staleChains.insert(chain.chainId)
                }
            } else {
                // Another leg's chain bears this leg's id (it names this one as its
                // InitialContactId only): the journey's row is recomputed from both.
                file.staleChains.insert(chain.chainId)
            }
            if let storedChain, storedChain != chain.chainId { file.staleChains.insert(storedChain) }
        } else {
            if let storedChain { file.staleChains.insert(storedChain) }
            try markChanged(record.contactId)
        }
        // A parent or next leg the old version named but this one does not loses a neighbour.
        for old in [storedLinks?[0], storedLinks?[1]] {
            if let old, old != record.previousContactId, old != record.nextContactId { try markChanged(old) }
        }
        return .newVersion(isCurrent: true)
    }

    /// The links that awaited a leg just inserted now reach it (`SchemaV10`).
    private func takeAwaitedLinks(_ contactId: String, legId: Int64) throws {
        arrive.bind(legId)
        arrive.bind(contactId)
        try arrive.run()
        arrived.bind(contactId)
        try arrived.run()
    }

    /// The probe's row for the record's leg; nil when nothing stored can concern it.
    private func probeStored(_ record: ContactRecord) throws -> [String?]? {
        if let met = newIds?.insert(record.contactId) {
            for named in [record.previousContactId, record.nextContactId, record.initialContactId] {
                if let named { newIds?.insert(named) }
            }
            guard met else { return nil }
        }
        probe.bind(record.contactId)
        return try probe.firstRowTexts(columns: Int32(Self.probeColumns + IndexedColumns.all.count))
    }

    /// The probe's columns before the indexed columns' values.
    private static let probeColumns = 7

    /// The update of a stored leg's row that sets every column but the indexed ones left out of
    /// `changed`, if its version is newer: greater LastUpdateTimestamp, then greater content hash; a
    /// missing timestamp loses. Its parameters are numbered as
    /// `bindContact` binds them, so the ones left out are simply not used; then the rowid.
    private func updateStatement(setting changed: IndexedColumns) throws -> BoundStatement {
        if let statement = updateContact[changed] { return statement }
        let columns = Schema.recordColumns
        let left = Set(IndexedColumns.all.filter { !changed.contains($0) }.map(\.name))
        let sets = columns.indices.dropFirst().filter { !left.contains(columns[$0]) }.map { "\(columns[$0]) = ?\($0 + 1)" }
        let milliseconds = columns.firstIndex(of: "last_update_ms")! + 1, hash = columns.firstIndex(of: "content_hash")! + 1
        let statement = try BoundStatement(db, """
            UPDATE OR FAIL contacts SET \(sets.joined(separator: ", "))
            WHERE rowid = ?\(columns.count + 1)
              AND (COALESCE(?\(milliseconds), -9223372036854775808), ?\(hash)) > (COALESCE(last_update_ms, -9223372036854775808), content_hash)
            """)
        updateContact[changed] = statement
        return statement
    }

    /// A leg stored before may already hold another version of this LastUpdateTimestamp.
    private func noteConflict(_ record: ContactRecord, hash: String, legId: Int64) throws {
        guard let millisecond = record.lastUpdate?.epochMilliseconds else { return }
        conflictProbe.bind(legId)
        conflictProbe.bind(millisecond)
        conflictProbe.bind(hash)
        guard try conflictProbe.firstRowTexts(columns: 1)?[0] == "1" else { return }
        markConflict.bind(legId)
        try markConflict.run()
    }

    private func insertVersion(_ record: ContactRecord, hash: String, legId: Int64, fileId: Int64) throws {
        insertVersion.bind(legId)
        insertVersion.bind(hash)
        insertVersion.bind(record.lastUpdate)
        insertVersion.bind(record.lastUpdate?.epochMilliseconds)
        insertVersion.bind(fileId)
        insertVersion.bind(record.offset)
        let stored = try blocks.append(record.rawJSON)
        insertVersion.bind(stored.block)
        insertVersion.bind(stored.offset)
        insertVersion.bind(stored.length)
        try insertVersion.run()
    }

    /// Seals the raw text of the file's versions (`FileLoad.finish`); `settle` stores the rest.
    fileprivate func finishBlocks() throws {
        try blocks.endFile()
    }

    /// Stores the raw text of the versions loaded so far: call it before the transaction commits.
    public func settle() throws {
        try blocks.settle()
    }

    /// Binds the row; chain columns are null (for the chain stage to fill) unless given (a
    /// placeholder's are rewritten by the chain stage too).
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
    func markChanged(_ contactId: String) throws {
        legsMarkedPending += 1
        markPending.bind(contactId)
        try markPending.run()
    }

    fileprivate func reject(_ chunk: RejectedChunk, from file: FileLoad) throws {
        insertReject.bind(file.path)
        insertReject.bind(chunk.offset)
        insertReject.bind(chunk.length)
        insertReject.bind(chunk.reason)
        insertReject.bind(bytes: chunk.bytes)
        insertReject.bind(file.ingestedAt)
        try insertReject.run()
    }

    /// Makes the newest stored version current again (or removes the contact if none is left);
    /// returns the chains whose journey must be rewritten: the outgoing record's and, for a
    /// removed contact, the one it heads, whose row goes with it (trigger `contact_removed`).
    func restoreNewestVersion(of contactId: String) throws -> Set<String> {
        let oldChain = try String.fetchOne(db, sql: "SELECT chain_id FROM contacts WHERE contact_id = ?", arguments: [contactId])
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
            return Set([oldChain, contactId].compactMap { $0 })
        }
        // The version's hash is stored with it: the record is only decoded for its fields.
        let raw: String = newest[0]
        let record = try ContactDecoder.decode(FramedChunk(kind: .object, bytes: Array(raw.utf8), offset: 0, contentHash: 0))
        bindContact(record, hash: newest[1], chain: nil, to: replaceContact)
        try replaceContact.run()
        return Set([oldChain].compactMap { $0 })
    }
}

/// One file being loaded: its records and rejects, then `finish`. What it delivered is kept
/// until then (about 55 bytes per record: it grows with one file, never with the run).
public final class FileLoad {
    private let store: ContactStore
    public let path: String
    let fileId: Int64
    let ingestedAt: String
    private var deliveredEntries = ""
    /// Deliveries of versions stored before, and the smallest of their contact ids.
    private var redeliveries = 0
    private var smallestRedelivered: String?
    /// Chains whose journey row the file's records changed.
    fileprivate var staleChains: Set<String> = []
    public private(set) var records = 0
    public private(set) var rejects = 0

    fileprivate init(store: ContactStore, path: String, fileId: Int64, ingestedAt: String) {
        self.store = store
        self.path = path
        self.fileId = fileId
        self.ingestedAt = ingestedAt
    }

    fileprivate func noteDelivery(_ contactId: String, _ hash: String) {
        deliveredEntries += contactId
        deliveredEntries += "\t"
        deliveredEntries += hash
        deliveredEntries += "\n"
    }

    fileprivate func noteRedelivery(of contactId: String) {
        redeliveries += 1
        if smallestRedelivered.map({ contactId < $0 }) ?? true { smallestRedelivered = contactId }
    }

    public func load(_ record: ContactRecord) throws -> LoadOutcome {
        records += 1
        return try store.load(record, into: self)
    }

    public func reject(_ chunk: RejectedChunk) throws {
        rejects += 1
        try store.reject(chunk, from: self)
    }

    /// Records what the file delivered under its content hash, its manifest row, and the
    /// journeys its legs changed.
    public func finish(fileHash: String, size: Int64, damage: String?) throws {
        let db = store.db
        try store.finishBlocks()
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO file_deliveries (file_hash, entries) VALUES (?, ?)")
            .execute(arguments: [fileHash, deliveredEntries])
        try Manifest(db).record(IngestedFile(path: path, size: size, contentHash: fileHash, records: records, rejects: rejects,
                                             status: damage == nil ? "complete" : "partial", error: damage), ingestedAt: ingestedAt)
        try store.journeys.run(staleChains)
        try QualityCounters.addRedeliveries(db, count: redeliveries, example: smallestRedelivered)
        deliveredEntries = ""
        staleChains = []
        redeliveries = 0
        smallestRedelivered = nil
    }
}

/// The columns of `contacts` that an index holds (or its `WHERE` names), beside `contact_id`, or
/// that a trigger watches (`UPDATE OF`: the links, `SchemaV9`).
///
/// SQLite rewrites a row's entry in every index on a column an `UPDATE` sets, even to the same
/// value, and runs the triggers on it. A new version of a stored leg sets only the indexed
/// columns whose value changes: with all of them set, a night at 27 days of history dirtied a
/// page of `contacts_previous`, `contacts_next` (schema version 8) and `contacts_chain` for
/// most stored legs it updated, keyed by random ids.
struct IndexedColumns: OptionSet, Hashable {
    let rawValue: UInt8

    /// One indexed column: its name, and the text a record would store in it.
    struct Column {
        let name: String
        let flag: IndexedColumns
        let value: (ContactRecord, _ chainId: String) -> String?
    }

    /// Every indexed column; `ContactStoreTests` checks the list against the schema's indexes.
    static let all: [Column] = [
        Column(name: "previous_contact_id", flag: .init(rawValue: 1 << 0)) { record, _ in record.previousContactId },
        Column(name: "next_contact_id", flag: .init(rawValue: 1 << 1)) { record, _ in record.nextContactId },
        Column(name: "chain_id", flag: .init(rawValue: 1 << 2)) { _, chainId in chainId },
        Column(name: "initiation_ts", flag: .init(rawValue: 1 << 3)) { record, _ in record.initiation?.text },
        Column(name: "disconnect_ts", flag: .init(rawValue: 1 << 4)) { record, _ in record.disconnect?.text },
        Column(name: "enqueue_ts", flag: .init(rawValue: 1 << 5)) { record, _ in record.enqueue?.text },
        Column(name: "connected_to_agent_ts", flag: .init(rawValue: 1 << 6)) { record, _ in record.connectedToAgent?.text },
    ]

    /// Where `chain_id` is in `all`.
    static let chainIdPosition = all.firstIndex { $0.name == "chain_id" }!

    /// The indexed columns whose stored value (in `all`'s order) the record's differs from.
    static func changed(_ record: ContactRecord, chainId: String, stored: ArraySlice<String?>) -> IndexedColumns {
        var changed: IndexedColumns = []
        for (column, old) in zip(all, stored) where column.value(record, chainId) != old {
            changed.insert(column.flag)
        }
        return changed
    }

    func contains(_ column: Column) -> Bool { contains(column.flag) }
}
