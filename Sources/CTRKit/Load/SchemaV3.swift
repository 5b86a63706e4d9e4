import GRDB

/// Schema version 3: storage whose cost follows the day loaded, not the history (SPEC section 7).
///
/// Applied to version 1's layout (version 2 only re-queues legs for the chain stage):
/// - versions are keyed by the leg's rowid in `contacts` (arrival order) instead of the
///   contact id's random UUID text, and hold their raw JSON compressed as the `sqlar`
///   format does (`RawText`); `raw_records` is gone, `contact_versions` and `versions` are
///   views with version 1's columns;
/// - source paths are stored once (`source_paths`), not once per version;
/// - `contacts` gains indexes on the timestamps reports and one-day filters use;
/// - `journeys` is a table kept by the load and the chain stage (`JourneyStore`), indexed
///   on `first_initiation_ts`;
/// - `quality_counters` holds the whole-database quality figures, kept by triggers, so that
///   `quality` over one day does not read every version.
///
/// The rowid of `contacts` is the leg's key (`stored_versions.leg_id`). It is not an
/// explicit column, so that `SELECT *` shows SPEC section 3's columns and two databases
/// loaded in different orders have the same contents; SQLite's upsert and VACUUM keep it.
enum SchemaV3 {
    static func upgrade(_ db: Database) throws {
        db.add(function: RawText.compressFunction())
        try db.execute(sql: """
            CREATE TABLE source_paths (
                id INTEGER PRIMARY KEY,
                path TEXT NOT NULL UNIQUE
            );
            INSERT INTO source_paths (path) SELECT DISTINCT source_file FROM versions ORDER BY source_file;

            -- Every distinct version, clustered by leg: a new leg's versions go at the end of
            -- the tree, and a contact's versions are on one page.
            CREATE TABLE stored_versions (
                leg_id INTEGER NOT NULL,
                content_hash TEXT NOT NULL,
                last_update_ts TEXT,
                last_update_ms INTEGER,
                file_id INTEGER NOT NULL,
                byte_offset INTEGER NOT NULL,
                deliveries INTEGER NOT NULL,
                -- sqlar layout: a zlib stream of the raw JSON, or its bytes when length(raw) = raw_size
                raw_size INTEGER NOT NULL,
                raw BLOB NOT NULL,
                PRIMARY KEY (leg_id, content_hash)
            ) WITHOUT ROWID;
            INSERT INTO stored_versions
            SELECT c.rowid, v.content_hash, v.last_update_ts, v.last_update_ms, p.id, v.byte_offset, v.deliveries,
                   length(CAST(r.raw_json AS BLOB)), ctrdb_compress(r.raw_json)
            FROM versions v
            JOIN contacts c ON c.contact_id = v.contact_id
            JOIN raw_records r ON r.id = v.raw_id
            JOIN source_paths p ON p.path = v.source_file
            ORDER BY c.rowid, v.content_hash;

            DROP VIEW contact_versions;
            DROP TABLE versions;
            DROP TABLE raw_records;

            \(versionViews)

            CREATE INDEX contacts_disconnect ON contacts(disconnect_ts);
            CREATE INDEX contacts_initiation ON contacts(initiation_ts);
            CREATE INDEX contacts_enqueue ON contacts(enqueue_ts) WHERE enqueue_ts IS NOT NULL;
            CREATE INDEX contacts_connected_to_agent ON contacts(connected_to_agent_ts) WHERE connected_to_agent_ts IS NOT NULL;

            DROP VIEW journeys;
            CREATE TABLE journeys (
                chain_id TEXT PRIMARY KEY NOT NULL,
                legs INTEGER NOT NULL,
                first_initiation_ts TEXT,
                last_disconnect_ts TEXT,
                queues TEXT,
                answered INTEGER NOT NULL,
                had_callback INTEGER NOT NULL,
                broken INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX journeys_first_initiation ON journeys(first_initiation_ts);
            INSERT INTO journeys \(JourneyStore.aggregate(where: "c.chain_id IS NOT NULL"));

            -- Legs with two versions of the same LastUpdateTimestamp (to the millisecond).
            CREATE TABLE conflicting_legs (leg_id INTEGER PRIMARY KEY);
            INSERT INTO conflicting_legs
            SELECT DISTINCT a.leg_id FROM stored_versions a JOIN stored_versions b
                ON b.leg_id = a.leg_id AND b.last_update_ms = a.last_update_ms AND b.content_hash > a.content_hash;

            -- The whole-database checks of the quality report: count and smallest contact id.
            CREATE TABLE quality_counters (
                check_name TEXT PRIMARY KEY NOT NULL,
                count INTEGER NOT NULL,
                example_contact_id TEXT
            ) WITHOUT ROWID;
            CREATE INDEX stored_versions_redelivered ON stored_versions(leg_id) WHERE deliveries > 1;
            INSERT INTO quality_counters VALUES
                ('duplicate_deliveries', (SELECT COALESCE(SUM(deliveries - 1), 0) FROM stored_versions),
                 (SELECT MIN(c.contact_id) FROM stored_versions v JOIN contacts c ON c.rowid = v.leg_id WHERE v.deliveries > 1)),
                ('conflicting_versions', (SELECT COUNT(*) FROM conflicting_legs),
                 (SELECT MIN(c.contact_id) FROM conflicting_legs k JOIN contacts c ON c.rowid = k.leg_id)),
                ('rejected_records', (SELECT COUNT(*) FROM rejects), NULL),
                ('partial_files', (SELECT COUNT(*) FROM ingest_files WHERE status = 'partial'), NULL);
            """)
        try db.execute(sql: triggers)
    }

    /// `contact_versions` and `versions` (version 1's columns) over `stored_versions`, as
    /// versions 3 and 4 define them.
    static let versionViews = """
        CREATE VIEW contact_versions AS
        SELECT c.contact_id, v.last_update_ts, v.last_update_ms, v.content_hash, p.path AS source_file,
               v.byte_offset, v.deliveries, CAST(sqlar_uncompress(v.raw, v.raw_size) AS TEXT) AS raw_json
        FROM stored_versions v JOIN contacts c ON c.rowid = v.leg_id JOIN source_paths p ON p.id = v.file_id;

        \(versionsView)
        """

    /// `versions`, the versions without their text, as versions 3 to 6 define it.
    static let versionsView = """
        -- version 1's table of versions without the text, for queries written against it
        CREATE VIEW versions AS
        SELECT c.contact_id, v.content_hash, v.last_update_ts, v.last_update_ms, p.path AS source_file,
               v.byte_offset, v.deliveries
        FROM stored_versions v JOIN contacts c ON c.rowid = v.leg_id JOIN source_paths p ON p.id = v.file_id;
        """

    /// Triggers keep `quality_counters` and `conflicting_legs` exact in the same transaction as
    /// the rows they count. A smallest example is recomputed only when the example itself goes.
    private static let triggers = """
        CREATE TRIGGER versions_redelivered AFTER UPDATE OF deliveries ON stored_versions
        BEGIN
            UPDATE quality_counters SET count = count + new.deliveries - old.deliveries,
                example_contact_id = CASE
                    WHEN new.deliveries > 1 AND (example_contact_id IS NULL OR (SELECT contact_id FROM contacts WHERE rowid = new.leg_id) < example_contact_id)
                        THEN (SELECT contact_id FROM contacts WHERE rowid = new.leg_id)
                    WHEN new.deliveries <= 1 AND example_contact_id = (SELECT contact_id FROM contacts WHERE rowid = new.leg_id)
                        THEN (SELECT MIN(c.contact_id) FROM stored_versions v JOIN contacts c ON c.rowid = v.leg_id WHERE v.deliveries > 1)
                    ELSE example_contact_id END
            WHERE check_name = 'duplicate_deliveries';
        END;
        CREATE TRIGGER versions_added AFTER INSERT ON stored_versions
        BEGIN
            INSERT OR IGNORE INTO conflicting_legs
            SELECT new.leg_id WHERE new.last_update_ms IS NOT NULL AND EXISTS (
                SELECT 1 FROM stored_versions v
                WHERE v.leg_id = new.leg_id AND v.last_update_ms = new.last_update_ms AND v.content_hash <> new.content_hash);
        END;
        CREATE TRIGGER versions_removed AFTER DELETE ON stored_versions
        BEGIN
            UPDATE quality_counters SET count = count - (old.deliveries - 1),
                example_contact_id = CASE WHEN example_contact_id = (SELECT contact_id FROM contacts WHERE rowid = old.leg_id)
                    THEN (SELECT MIN(c.contact_id) FROM stored_versions v JOIN contacts c ON c.rowid = v.leg_id WHERE v.deliveries > 1)
                    ELSE example_contact_id END
            WHERE check_name = 'duplicate_deliveries';
            DELETE FROM conflicting_legs WHERE leg_id = old.leg_id AND NOT EXISTS (
                SELECT 1 FROM stored_versions a JOIN stored_versions b
                    ON b.leg_id = a.leg_id AND b.last_update_ms = a.last_update_ms AND b.content_hash > a.content_hash
                WHERE a.leg_id = old.leg_id);
        END;
        CREATE TRIGGER conflicting_leg_added AFTER INSERT ON conflicting_legs
        BEGIN
            UPDATE quality_counters SET count = count + 1,
                example_contact_id = CASE WHEN example_contact_id IS NULL OR (SELECT contact_id FROM contacts WHERE rowid = new.leg_id) < example_contact_id
                    THEN (SELECT contact_id FROM contacts WHERE rowid = new.leg_id) ELSE example_contact_id END
            WHERE check_name = 'conflicting_versions';
        END;
        CREATE TRIGGER conflicting_leg_removed AFTER DELETE ON conflicting_legs
        BEGIN
            UPDATE quality_counters SET count = count - 1,
                example_contact_id = (SELECT MIN(c.contact_id) FROM conflicting_legs k JOIN contacts c ON c.rowid = k.leg_id)
            WHERE check_name = 'conflicting_versions';
        END;
        CREATE TRIGGER reject_added AFTER INSERT ON rejects
        BEGIN
            UPDATE quality_counters SET count = count + 1 WHERE check_name = 'rejected_records';
        END;
        CREATE TRIGGER reject_removed AFTER DELETE ON rejects
        BEGIN
            UPDATE quality_counters SET count = count - 1 WHERE check_name = 'rejected_records';
        END;
        CREATE TRIGGER file_added AFTER INSERT ON ingest_files WHEN new.status = 'partial'
        BEGIN
            UPDATE quality_counters SET count = count + 1 WHERE check_name = 'partial_files';
        END;
        CREATE TRIGGER file_changed AFTER UPDATE OF status ON ingest_files WHEN (new.status = 'partial') <> (old.status = 'partial')
        BEGIN
            UPDATE quality_counters SET count = count + (CASE WHEN new.status = 'partial' THEN 1 ELSE -1 END) WHERE check_name = 'partial_files';
        END;
        CREATE TRIGGER file_removed AFTER DELETE ON ingest_files WHEN old.status = 'partial'
        BEGIN
            UPDATE quality_counters SET count = count - 1 WHERE check_name = 'partial_files';
        END;
        """
}
