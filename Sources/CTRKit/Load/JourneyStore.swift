import GRDB

/// The `journeys` table (SPEC section 3): one row per chain, rewritten for the chains a load or
/// the chain stage touched, so that reading one day of journeys costs that day.
public enum JourneyStore {
    /// SQL: the legs of `contacts` (as `alias`) whose `chain_id` is `chain` (an SQL expression).
    ///
    /// `contacts_chain` holds only the legs whose chain bears another leg's id (schema version 7):
    /// most legs are journeys of their own, `chain_id = contact_id`, and the primary key finds
    /// those. Written as two ANDs joined by OR, SQLite answers it from both indexes; a plain
    /// `chain_id = X` would scan `contacts`.
    public static func legs(_ alias: String, ofChain chain: String) -> String {
        "((\(alias).contact_id = \(chain) AND \(alias).chain_id = \(chain)) OR (\(alias).chain_id = \(chain) AND \(alias).chain_id <> \(alias).contact_id))"
    }

    /// The row of each chain whose legs match `condition` (on `contacts c`), as `journeys` holds it.
    static func aggregate(where condition: String) -> String {
        """
        SELECT c.chain_id,
               COUNT(*),
               MIN(c.initiation_ts),
               MAX(c.disconnect_ts),
               (SELECT group_concat(queue_name, ', ') FROM
                   (SELECT DISTINCT q.queue_name FROM contacts q
                    WHERE \(legs("q", ofChain: "c.chain_id")) AND q.queue_name IS NOT NULL AND q.enqueue_ts IS NOT NULL
                    ORDER BY q.queue_name)),
               MAX(c.connected_to_agent_ts IS NOT NULL),
               MAX(COALESCE(c.initiation_method LIKE 'CALLBACK%', 0)),
               MAX(c.missing_parent OR c.missing_next OR c.in_cycle)
        FROM contacts c
        WHERE \(condition)
        GROUP BY c.chain_id
        """
    }

    /// SQL: rewrites the journey row at rowid ?1 with (chain_id, legs, first_initiation_ts,
    /// last_disconnect_ts, queues, answered, had_callback, broken) as ?2 to ?9.
    ///
    /// A journey's row is at its head's rowid, the leg that bears its id, else at a negative
    /// rowid (schema version 7). `JourneyUpdate`, then `insert` when no row was there: each
    /// changes one row, so neither needs a statement journal (INSERT OR REPLACE may delete a row
    /// first).
    static let update = """
        UPDATE journeys SET chain_id = ?2, legs = ?3, first_initiation_ts = ?4, last_disconnect_ts = ?5, queues = ?6,
            answered = ?7, had_callback = ?8, broken = ?9
        WHERE rowid = ?1
        """
    /// The same for a row whose first_initiation_ts stays: it leaves `journeys_first_initiation`
    /// alone (an UPDATE that sets an indexed column rewrites the row's entry, even to the same
    /// value).
    static let updateKeepingStart = """
        UPDATE journeys SET chain_id = ?2, legs = ?3, last_disconnect_ts = ?5, queues = ?6,
            answered = ?7, had_callback = ?8, broken = ?9
        WHERE rowid = ?1 AND first_initiation_ts IS ?4
        """
    static let insert = """
        INSERT INTO journeys (rowid, chain_id, legs, first_initiation_ts, last_disconnect_ts, queues, answered, had_callback, broken)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
        """

    /// The row of a journey of one leg, which `aggregate` would compute from it, bound to
    /// `update` or `insert` at the leg's rowid: most legs are journeys of their own, and the load
    /// writes their row directly.
    static func bindStandalone(_ record: ContactRecord, legId: Int64, to statement: BoundStatement) {
        statement.bind(legId)
        statement.bind(record.contactId)
        statement.bind(Int64(1))
        statement.bind(record.initiation)
        statement.bind(record.disconnect)
        statement.bind(record.enqueue == nil ? nil : record.queueName)
        statement.bind(Int64(record.connectedToAgent == nil ? 0 : 1))
        statement.bind(Int64(record.initiationMethod.map { JourneyRow.startsWithCallback($0.utf8) } == true ? 1 : 0))
        statement.bind(Int64(0))
    }

    /// Below every rowid of `journeys` and below 0.
    static func nextHeadlessPlace(_ db: Database) throws -> Int64 {
        let lowest = try Int64.fetchOne(db, sql: "SELECT rowid FROM journeys ORDER BY rowid LIMIT 1") ?? 0
        return min(lowest, 0) - 1
    }
}

/// `JourneyStore.update`, which leaves `journeys_first_initiation` alone when the journey's start
/// stays, as it mostly does: a night updates legs of the last days, whose journeys are rewritten
/// with the same start, and their entries lay all over the index's last week (the 28th night
/// into 27 days of history rewrote 319 of its pages).
final class JourneyUpdate {
    private let keepingStart: BoundStatement
    private let full: BoundStatement

    init(_ db: Database) throws {
        keepingStart = try BoundStatement(db, JourneyStore.updateKeepingStart)
        full = try BoundStatement(db, JourneyStore.update)
    }

    /// Rewrites the row that `bind` binds (as for `JourneyStore.update`); false when no row is at
    /// its place.
    func run(_ bind: (BoundStatement) -> Void) throws -> Bool {
        bind(keepingStart)
        try keepingStart.run()
        if keepingStart.changes > 0 { return true }
        bind(full)
        try full.run()
        return full.changes > 0
    }
}

/// Rewrites the rows of chains from their legs (a chain with no legs left loses its row), at
/// the head's rowid: a row kept at a negative rowid moves there once its head is loaded. Its
/// statements are prepared once: the load refreshes after every file, the chain stage after
/// every step.
///
/// One row at a time: a statement that writes many rows gets a statement journal, into which
/// SQLite copies every page it changes (a set-based rewrite per file wrote 750 MB of page
/// images during a 7-day load). A single-row write or delete needs none.
///
/// Each row is computed from one read of the chain's legs (`JourneyRow`), which costs half of
/// `JourneyStore.aggregate` with its correlated subquery; `JourneyStoreTests` checks that both
/// give the same rows.
final class JourneyRefresh {
    private let db: Database
    private let read: BoundStatement
    private let findHead: BoundStatement
    private let findHeadless: BoundStatement
    private let update: JourneyUpdate
    private let insert: BoundStatement
    private let remove: BoundStatement

    init(_ db: Database) throws {
        self.db = db
        read = try BoundStatement(db, """
            SELECT c.rowid, c.contact_id = ?1, c.initiation_ts, c.disconnect_ts, CASE WHEN c.enqueue_ts IS NOT NULL THEN c.queue_name END,
                   c.connected_to_agent_ts IS NOT NULL, c.initiation_method, c.missing_parent OR c.missing_next OR c.in_cycle
            FROM contacts c WHERE \(JourneyStore.legs("c", ofChain: "?1"))
            """)
        findHead = try BoundStatement(db, "SELECT rowid FROM contacts WHERE contact_id = ?")
        findHeadless = try BoundStatement(db, "SELECT rowid FROM journeys WHERE chain_id = ? AND rowid < 0")
        update = try JourneyUpdate(db)
        insert = try BoundStatement(db, JourneyStore.insert)
        remove = try BoundStatement(db, "DELETE FROM journeys WHERE rowid = ?")
    }

    func run(_ chainIds: Set<String>) throws {
        for chainId in chainIds.sorted() {
            read.bind(chainId)
            var row = JourneyRow(chainId: chainId)
            try read.forEachRow { leg in row.add(leg) }
            findHeadless.bind(chainId)
            let headless = try findHeadless.firstInt()
            var head = row.head
            if head == nil {
                // The leg that bears the chain's id may be another chain's (or none)
                findHead.bind(chainId)
                head = try findHead.firstInt()
            }
            guard row.legs > 0 else {
                for place in [head, headless].compactMap({ $0 }) { try removeRow(at: place) }
                continue
            }
            let place = try head ?? headless ?? JourneyStore.nextHeadlessPlace(db)
            if try !update.run({ row.bind(at: place, to: $0) }) {
                row.bind(at: place, to: insert)
                try insert.run()
            }
            if head != nil, let headless { try removeRow(at: headless) }
        }
    }

    private func removeRow(at place: Int64) throws {
        remove.bind(place)
        try remove.run()
    }
}

/// One journey's row, computed from its legs as `JourneyStore.aggregate` computes it in SQL:
/// text compared and made distinct byte by byte (SQLite's BINARY collation), `LIKE
/// 'CALLBACK%'` case-insensitive in ASCII only.
struct JourneyRow {
    let chainId: String
    private(set) var legs = 0
    /// The rowid of the leg that bears the chain's id, when it is one of the legs.
    private(set) var head: Int64?
    private var firstInitiation: [UInt8]?
    private var lastDisconnect: [UInt8]?
    private var queues: Set<[UInt8]> = []
    private var answered = false
    private var hadCallback = false
    private var broken = false

    init(chainId: String) { self.chainId = chainId }

    /// Adds a leg, read as `refresh` reads it: rowid, bears the chain's id, initiation,
    /// disconnect, queue when enqueued, answered, initiation method, broken.
    mutating func add(_ leg: BoundStatement.Columns) {
        legs += 1
        if leg.int(1) == 1 { head = leg.int(0) }
        if let initiation = leg.bytes(2), firstInitiation.map({ initiation.lexicographicallyPrecedes($0) }) ?? true {
            firstInitiation = initiation
        }
        if let disconnect = leg.bytes(3), lastDisconnect.map({ $0.lexicographicallyPrecedes(disconnect) }) ?? true {
            lastDisconnect = disconnect
        }
        if let queue = leg.bytes(4) { queues.insert(queue) }
        if leg.int(5) == 1 { answered = true }
        if let method = leg.bytes(6), Self.startsWithCallback(method) { hadCallback = true }
        if leg.int(7) == 1 { broken = true }
    }

    /// `LIKE 'CALLBACK%'`.
    static func startsWithCallback(_ text: some Collection<UInt8>) -> Bool {
        let prefix = "callback".utf8
        guard text.count >= prefix.count else { return false }
        return zip(text, prefix).allSatisfy { byte, letter in ((65...90).contains(byte) ? byte | 0x20 : byte) == letter }
    }

    /// Binds `JourneyStore.update`'s or `insert`'s parameters: the row at `place`.
    func bind(at place: Int64, to statement: BoundStatement) {
        statement.bind(place)
        statement.bind(chainId)
        statement.bind(Int64(legs))
        statement.bind(text: firstInitiation)
        statement.bind(text: lastDisconnect)
        statement.bind(text: queues.isEmpty ? nil : Array(queues.sorted { $0.lexicographicallyPrecedes($1) }.joined(separator: Array(", ".utf8))))
        statement.bind(Int64(answered ? 1 : 0))
        statement.bind(Int64(hadCallback ? 1 : 0))
        statement.bind(Int64(broken ? 1 : 0))
    }
}
