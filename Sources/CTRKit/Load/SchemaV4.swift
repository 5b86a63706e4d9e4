import GRDB

/// Schema version 4: the load's own statements carry no triggers.
///
/// SQLite gives a statement that fires a trigger a statement journal, and copies into it
/// every page the statement changes: at version 3 the two triggers on `stored_versions` (a
/// version added, a delivery counted) wrote 4.5 GB of page images for a 7-day load of 490 MB.
/// The load now keeps `quality_counters` and `conflicting_legs` itself (`QualityCounters`),
/// in the same transaction as the rows they count.
///
/// `stored_versions` also becomes a rowid table in arrival order, with a unique index on
/// `(leg_id, content_hash)`: new versions are appended to the table's last page instead of
/// splitting pages of large rows in the middle of the tree, so its pages stay full.
/// `journeys` likewise: a rowid table in the order chains first appear, found by a unique
/// index on `chain_id` (a night rewrites a few pages of that small index instead of pages of
/// whole rows spread over the history).
enum SchemaV4 {
    /// `journeys` as a rowid table (versions 4 and 7 create it under a new name, then rename it).
    static func journeysTable(_ name: String) -> String {
        """
        CREATE TABLE \(name) (
            chain_id TEXT NOT NULL,
            legs INTEGER NOT NULL,
            first_initiation_ts TEXT,
            last_disconnect_ts TEXT,
            queues TEXT,
            answered INTEGER NOT NULL,
            had_callback INTEGER NOT NULL,
            broken INTEGER NOT NULL
        );
        """
    }

    static func upgrade(_ db: Database) throws {
        try db.execute(sql: """
            DROP TRIGGER IF EXISTS versions_redelivered;
            DROP TRIGGER IF EXISTS versions_added;
            DROP TRIGGER IF EXISTS versions_removed;
            DROP VIEW contact_versions;
            DROP VIEW versions;

            CREATE TABLE versions_by_arrival (
                id INTEGER PRIMARY KEY,
                leg_id INTEGER NOT NULL,
                content_hash TEXT NOT NULL,
                last_update_ts TEXT,
                last_update_ms INTEGER,
                file_id INTEGER NOT NULL,
                byte_offset INTEGER NOT NULL,
                deliveries INTEGER NOT NULL,
                -- sqlar layout: a zlib stream of the raw JSON, or its bytes when length(raw) = raw_size
                raw_size INTEGER NOT NULL,
                raw BLOB NOT NULL
            );
            INSERT INTO versions_by_arrival (leg_id, content_hash, last_update_ts, last_update_ms, file_id, byte_offset, deliveries, raw_size, raw)
            SELECT leg_id, content_hash, last_update_ts, last_update_ms, file_id, byte_offset, deliveries, raw_size, raw
            FROM stored_versions ORDER BY file_id, byte_offset;
            DROP TABLE stored_versions;
            ALTER TABLE versions_by_arrival RENAME TO stored_versions;
            CREATE UNIQUE INDEX stored_versions_leg ON stored_versions(leg_id, content_hash);
            CREATE INDEX stored_versions_redelivered ON stored_versions(leg_id) WHERE deliveries > 1;

            \(journeysTable("journeys_by_arrival"))
            INSERT INTO journeys_by_arrival SELECT * FROM journeys ORDER BY first_initiation_ts, chain_id;
            DROP TABLE journeys;
            ALTER TABLE journeys_by_arrival RENAME TO journeys;
            CREATE UNIQUE INDEX journeys_chain ON journeys(chain_id);
            CREATE INDEX journeys_first_initiation ON journeys(first_initiation_ts);

            \(SchemaV3.versionViews)
            """)
    }
}

/// The whole-database quality figures of `quality_counters` that count versions
/// (`duplicate_deliveries`, `conflicting_versions`), kept by the statements that change
/// `stored_versions` (see `SchemaV4` for why not by triggers). Rejects and partial files are
/// still counted by triggers: their statements are not on the per-record path.
enum QualityCounters {
    /// `count` more deliveries of versions already stored; `example` the smallest contact id
    /// among them (a version delivered twice is an example of a duplicate delivery).
    static func addRedeliveries(_ db: Database, count: Int, example: String?) throws {
        guard count > 0 else { return }
        try db.cachedStatement(sql: """
            UPDATE quality_counters SET count = count + ?1,
                example_contact_id = CASE WHEN example_contact_id IS NULL OR ?2 < example_contact_id THEN ?2 ELSE example_contact_id END
            WHERE check_name = 'duplicate_deliveries'
            """).execute(arguments: [count, example])
    }

    /// SQL: whether leg `?1` has another version (hash other than `?3`) of the same
    /// LastUpdateTimestamp `?2`.
    static let conflictProbe = """
        SELECT EXISTS (SELECT 1 FROM stored_versions WHERE leg_id = ?1 AND last_update_ms = ?2 AND content_hash <> ?3)
        """
    /// SQL: leg `?1` has two versions of one LastUpdateTimestamp (the triggers on
    /// `conflicting_legs` count it).
    static let markConflict = "INSERT OR IGNORE INTO conflicting_legs (leg_id) VALUES (?1)"

    /// Withdraws `n` deliveries from each version listed in the temporary table
    /// `forgotten_versions (leg_id, content_hash, n)`, removes the versions left with none (and
    /// the raw blocks left with no version), and brings both counters and `conflicting_legs`
    /// up to date.
    static func withdrawDeliveries(_ db: Database) throws {
        let affected = "SELECT leg_id, content_hash FROM forgotten_versions"
        let redeliveredBefore = try Int.fetchOne(db, sql: """
            SELECT COALESCE(SUM(deliveries - 1), 0) FROM stored_versions WHERE (leg_id, content_hash) IN (\(affected))
            """) ?? 0
        try db.execute(sql: """
            UPDATE stored_versions SET deliveries = deliveries -
                (SELECT f.n FROM forgotten_versions f WHERE f.leg_id = stored_versions.leg_id AND f.content_hash = stored_versions.content_hash)
            WHERE (leg_id, content_hash) IN (\(affected));
            CREATE TEMP TABLE IF NOT EXISTS forgotten_blocks (id INTEGER PRIMARY KEY);
            DELETE FROM forgotten_blocks;
            INSERT OR IGNORE INTO forgotten_blocks
            SELECT block_id FROM stored_versions WHERE deliveries <= 0 AND (leg_id, content_hash) IN (\(affected));
            DELETE FROM stored_versions WHERE deliveries <= 0 AND (leg_id, content_hash) IN (\(affected));
            -- A block goes with the last of its versions (until then it keeps the others' bytes).
            DELETE FROM raw_blocks WHERE id IN (SELECT id FROM forgotten_blocks)
                AND NOT EXISTS (SELECT 1 FROM stored_versions v WHERE v.block_id = raw_blocks.id);
            """)
        let redeliveredAfter = try Int.fetchOne(db, sql: """
            SELECT COALESCE(SUM(deliveries - 1), 0) FROM stored_versions WHERE (leg_id, content_hash) IN (\(affected))
            """) ?? 0
        try db.execute(sql: """
            UPDATE quality_counters SET count = count + ?,
                example_contact_id = (SELECT MIN(c.contact_id) FROM stored_versions v JOIN contacts c ON c.rowid = v.leg_id WHERE v.deliveries > 1)
            WHERE check_name = 'duplicate_deliveries';
            """, arguments: [redeliveredAfter - redeliveredBefore])
        try db.execute(sql: """
            DELETE FROM conflicting_legs WHERE leg_id IN (SELECT leg_id FROM forgotten_versions) AND NOT EXISTS (
                SELECT 1 FROM stored_versions a JOIN stored_versions b
                    ON b.leg_id = a.leg_id AND b.last_update_ms = a.last_update_ms AND b.content_hash > a.content_hash
                WHERE a.leg_id = conflicting_legs.leg_id)
            """)
    }
}
