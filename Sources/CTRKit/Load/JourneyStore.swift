import GRDB

/// The `journeys` table (SPEC section 3): one row per chain, rewritten for the chains a load or
/// the chain stage touched, so that reading one day of journeys costs that day.
public enum JourneyStore {
    /// The row of each chain whose legs match `condition` (on `contacts c`), as `journeys` holds it.
    static func aggregate(where condition: String) -> String {
        """
        SELECT c.chain_id,
               COUNT(*),
               MIN(c.initiation_ts),
               MAX(c.disconnect_ts),
               (SELECT group_concat(queue_name, ', ') FROM
                   (SELECT DISTINCT q.queue_name FROM contacts q
                    WHERE q.chain_id = c.chain_id AND q.queue_name IS NOT NULL AND q.enqueue_ts IS NOT NULL
                    ORDER BY q.queue_name)),
               MAX(c.connected_to_agent_ts IS NOT NULL),
               MAX(COALESCE(c.initiation_method LIKE 'CALLBACK%', 0)),
               MAX(c.missing_parent OR c.missing_next OR c.in_cycle)
        FROM contacts c
        WHERE \(condition)
        GROUP BY c.chain_id
        """
    }

    /// Rewrites the rows of these chains from their legs (a chain with no legs left loses its row).
    public static func refresh(_ db: Database, chainIds: Set<String>) throws {
        guard !chainIds.isEmpty else { return }
        try db.execute(sql: """
            CREATE TEMP TABLE IF NOT EXISTS journey_refresh (chain_id TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;
            DELETE FROM journey_refresh;
            """)
        let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO journey_refresh (chain_id) VALUES (?)")
        for chainId in chainIds { try insert.execute(arguments: [chainId]) }
        try db.execute(sql: """
            DELETE FROM journeys WHERE chain_id IN (SELECT chain_id FROM journey_refresh);
            INSERT INTO journeys \(aggregate(where: "c.chain_id IN (SELECT chain_id FROM journey_refresh)"));
            DELETE FROM journey_refresh;
            """)
    }
}
