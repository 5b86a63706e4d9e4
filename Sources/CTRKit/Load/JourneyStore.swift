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

    /// SQL: writes one journey row (chain_id, legs, first_initiation_ts, last_disconnect_ts,
    /// queues, answered, had_callback, broken), replacing the chain's row.
    static let upsert = """
        INSERT INTO journeys (chain_id, legs, first_initiation_ts, last_disconnect_ts, queues, answered, had_callback, broken)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (chain_id) DO UPDATE SET legs = excluded.legs, first_initiation_ts = excluded.first_initiation_ts,
            last_disconnect_ts = excluded.last_disconnect_ts, queues = excluded.queues, answered = excluded.answered,
            had_callback = excluded.had_callback, broken = excluded.broken
        """

    /// The row of a journey of one leg, which `aggregate` would compute from it, bound to
    /// `upsert`: most legs are journeys of their own, and the load writes their row directly.
    static func bindStandalone(_ record: ContactRecord, to statement: BoundStatement) {
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

    /// Rewrites the rows of these chains from their legs (a chain with no legs left loses its row).
    ///
    /// One row at a time: a statement that writes many rows gets a statement journal, into
    /// which SQLite copies every page it changes (a set-based rewrite per file wrote 750 MB of
    /// page images during a 7-day load). A single-row upsert or delete needs none.
    public static func refresh(_ db: Database, chainIds: Set<String>) throws {
        guard !chainIds.isEmpty else { return }
        let read = try db.cachedStatement(sql: aggregate(where: legs("c", ofChain: "?1")))
        let write = try db.cachedStatement(sql: upsert)
        let remove = try db.cachedStatement(sql: "DELETE FROM journeys WHERE chain_id = ?")
        for chainId in chainIds.sorted() {
            if let row = try Row.fetchOne(read, arguments: [chainId]) {
                try write.execute(arguments: StatementArguments(row.databaseValues))
            } else {
                try remove.execute(arguments: [chainId])
            }
        }
    }
}
