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
    /// rowid (schema version 7). `update`, then `insert` when no row was there: each changes one
    /// row, so neither needs a statement journal (INSERT OR REPLACE may delete a row first).
    static let update = """
        UPDATE journeys SET chain_id = ?2, legs = ?3, first_initiation_ts = ?4, last_disconnect_ts = ?5, queues = ?6,
            answered = ?7, had_callback = ?8, broken = ?9
        WHERE rowid = ?1
        """
    static let insert = """
        INSERT INTO journeys (rowid, chain_id, legs, first_initiation_ts, last_disconnect_ts, queues, answered, had_callback, broken)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
        """

    /// SQL: the rowid of chain ?1's head in `contacts`, and the row of its journey while it has
    /// no head (either NULL).
    static let places = """
        SELECT (SELECT rowid FROM contacts WHERE contact_id = ?1), (SELECT rowid FROM journeys WHERE chain_id = ?1 AND rowid < 0)
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
        // `LIKE 'CALLBACK%'` in `aggregate`: ASCII case-insensitive
        statement.bind(Int64(record.initiationMethod?.uppercased().hasPrefix("CALLBACK") == true ? 1 : 0))
        statement.bind(Int64(0))
    }

    /// Rewrites the rows of these chains from their legs (a chain with no legs left loses its
    /// row), at the head's rowid: a row kept at a negative rowid moves there once its head is
    /// loaded.
    ///
    /// One row at a time: a statement that writes many rows gets a statement journal, into
    /// which SQLite copies every page it changes (a set-based rewrite per file wrote 750 MB of
    /// page images during a 7-day load). A single-row write or delete needs none.
    public static func refresh(_ db: Database, chainIds: Set<String>) throws {
        guard !chainIds.isEmpty else { return }
        let read = try db.cachedStatement(sql: aggregate(where: legs("c", ofChain: "?1")))
        let find = try db.cachedStatement(sql: places)
        let update = try db.cachedStatement(sql: update)
        let insert = try db.cachedStatement(sql: insert)
        let remove = try db.cachedStatement(sql: "DELETE FROM journeys WHERE rowid = ?")
        for chainId in chainIds.sorted() {
            let found = try Row.fetchOne(find, arguments: [chainId])!
            let head: Int64? = found[0], headless: Int64? = found[1]
            guard let row = try Row.fetchOne(read, arguments: [chainId]) else {
                for place in [head, headless].compactMap({ $0 }) { try remove.execute(arguments: [place]) }
                continue
            }
            let place = try head ?? headless ?? nextHeadlessPlace(db)
            let values = StatementArguments([place.databaseValue] + row.databaseValues)
            try update.execute(arguments: values)
            if db.changesCount == 0 { try insert.execute(arguments: values) }
            if head != nil, let headless { try remove.execute(arguments: [headless]) }
        }
    }

    /// Below every rowid of `journeys` and below 0.
    private static func nextHeadlessPlace(_ db: Database) throws -> Int64 {
        let lowest = try Int64.fetchOne(db, sql: "SELECT rowid FROM journeys ORDER BY rowid LIMIT 1") ?? 0
        return min(lowest, 0) - 1
    }
}
