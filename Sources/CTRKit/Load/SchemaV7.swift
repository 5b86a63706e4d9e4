import GRDB

/// Schema version 7: no index keyed by the random ids of every leg, beside the primary key.
///
/// Most legs are journeys of their own (`chain_id = contact_id`: 77% of a 27-day database's
/// legs). Two indexes held every one of them at a random place, and a night rewrote a page of
/// each for most of its new legs:
/// - `contacts_chain` now holds only the legs whose chain bears another leg's id
///   (`chain_id <> contact_id`); the primary key finds the others (`JourneyStore.legs`);
/// - a journey's row is kept at the rowid of the leg that bears its id, its head
///   (`journeys.rowid = contacts.rowid`), so a new journey goes at the end of the table. A
///   journey whose head is not loaded has a negative rowid, and only those rows are indexed
///   by `chain_id` (`journeys_headless`). A row at a positive rowid goes with its head
///   (trigger `contact_removed`).
///
/// The 28th night into 27 days of history changes 11,128 pages instead of 15,473 and writes
/// 196 MB instead of 288: `contacts_chain` 629 pages instead of 2,778, and no `journeys_chain`
/// (2,223). `docs/PERFORMANCE-LOG.md` has the timings.
enum SchemaV7 {
    static func upgrade(_ db: Database) throws {
        try db.execute(sql: """
            DROP INDEX contacts_chain;
            CREATE INDEX contacts_chain ON contacts(chain_id) WHERE chain_id <> contact_id;

            \(SchemaV4.journeysTable("journeys_by_head"))
            -- In rowid order without sorting (with a sort and the loader's page cache, the 90-day
            -- upgrade peaked at 296 MB of RSS; 225 MB without the sort, 98 MB with a 32 MB cache):
            -- the journeys without a head first, by their old rowids backwards, then the others,
            -- found from their heads in contacts' order.
            INSERT INTO journeys_by_head (rowid, chain_id, legs, first_initiation_ts, last_disconnect_ts, queues, answered, had_callback, broken)
            SELECT -j.rowid, j.* FROM journeys j
            WHERE NOT EXISTS (SELECT 1 FROM contacts c WHERE c.contact_id = j.chain_id)
            ORDER BY j.rowid DESC;
            INSERT INTO journeys_by_head (rowid, chain_id, legs, first_initiation_ts, last_disconnect_ts, queues, answered, had_callback, broken)
            SELECT c.rowid, j.* FROM contacts c CROSS JOIN journeys j ON j.chain_id = c.contact_id
            ORDER BY c.rowid;
            DROP TABLE journeys;
            ALTER TABLE journeys_by_head RENAME TO journeys;
            CREATE INDEX journeys_first_initiation ON journeys(first_initiation_ts);
            CREATE UNIQUE INDEX journeys_headless ON journeys(chain_id) WHERE rowid < 0;
            -- A row at a positive rowid is the journey its leg heads: it goes with the leg (a withdrawn
            -- file's last version, or an edit by hand), and a refresh writes what is left of the chain.
            CREATE TRIGGER contact_removed AFTER DELETE ON contacts
            BEGIN
                DELETE FROM journeys WHERE rowid = old.rowid;
            END;
            """)
    }
}
