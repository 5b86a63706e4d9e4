import GRDB
import CSQLiteSettings

/// The database schema: the stable ad hoc SQL interface of SPEC section 3, plus the
/// bookkeeping columns and tables that make ingest idempotent and chains incremental.
public enum Schema {
    /// The columns of `contacts` that come from the record, in the order the loader binds them.
    static let recordColumns = [
        "contact_id", "instance_arn", "channel", "initiation_method",
        "initiation_ts", "connected_to_system_ts", "disconnect_ts", "last_update_ts",
        "disconnect_reason", "previous_contact_id", "next_contact_id", "initial_contact_id",
        "related_contact_id", "queue_name", "queue_arn", "enqueue_ts", "dequeue_ts",
        "queue_duration_s", "agent_username", "agent_arn", "connected_to_agent_ts",
        "agent_interaction_s", "customer_hold_s", "number_of_holds", "longest_hold_s", "acw_s",
        "routing_profile", "customer_address", "system_address", "transfer_completed_ts",
        "last_update_ms", "content_hash", "attributes_json",
        "chain_id", "chain_depth", "outcome", "missing_parent", "missing_next", "in_cycle",
    ]

    /// The schema version this build writes (`PRAGMA user_version`).
    public static let version = 10

    /// Creates or upgrades the schema under a write lock taken first (`BEGIN IMMEDIATE`), so
    /// that two runs starting on a new database cannot both try to create it (GRDB's
    /// migrator reads its table before it locks, and the second run failed on that race).
    /// (`target` below `version` writes an older layout: the upgrade tests start from one.)
    public static func migrate(_ writer: DatabaseQueue, upTo target: Int = version) throws {
        try writer.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                let current = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                guard current < target else { return .commit }
                // An upgrade copies tables and builds indexes.
                try withBoundedSorter(db) { try upgrade(db, from: current, to: target) }
                try db.execute(sql: "PRAGMA user_version = \(target)")
                return .commit
            }
        }
    }

    /// Runs `body`, which sorts (builds indexes, copies tables), with a page cache of `bytes`.
    /// SQLite's sorter holds as much in memory as the page cache may, besides it, and spills to
    /// a temporary file past that: with the loader's 128 MB, version 7's upgrade of a 90-day
    /// database peaked at 296 MB, and with 140 MB the 90-day first load's deferred indexes
    /// (`DeferredIndexes`) at 283 MB: at 239 MB with 32 MB, and with 8 MB at 212 MB, during its
    /// load, which the sort no longer passes. The pages the smaller cache frees go back to the
    /// system first: the C library kept them, and the sort's memory came on top (the 90-day
    /// first load's peak, during the sort, 220 MB; now 210 MB, during the load before it).
    static func withBoundedSorter(_ db: Database, bytes: Int = 32 << 20, _ body: () throws -> Void) throws {
        let cacheSize = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -2000
        try db.execute(sql: "PRAGMA cache_size = -\(bytes >> 10)")
        defer { try? db.execute(sql: "PRAGMA cache_size = \(cacheSize)") }
        ctrdb_release_free_memory()
        try body()
    }

    private static func upgrade(_ db: Database, from current: Int, to target: Int) throws {
        if current < 1 { try createVersion1(db) }
        if current == 1, target >= 2 { try upgradeToVersion2(db) }
        if current < 3, target >= 3 { try SchemaV3.upgrade(db) }
        if current < 4, target >= 4 { try SchemaV4.upgrade(db) }
        // Version 5: no index on initial_contact_id. No query looks a leg up by it (chains
        // are found through previous and next links), and it is keyed by random ids: at
        // 27 days of history a night rewrote 620 of its pages.
        if current < 5, target >= 5 { try db.execute(sql: "DROP INDEX IF EXISTS contacts_initial") }
        if current < 6, target >= 6 { try SchemaV6.upgrade(db) }
        if current < 7, target >= 7 { try SchemaV7.upgrade(db) }
        if current < 8, target >= 8 { try SchemaV8.upgrade(db) }
        if current < 9, target >= 9 { try SchemaV9.upgrade(db) }
        if current < 10, target >= 10 { try SchemaV10.upgrade(db) }
    }

    /// Version 2 (SPEC section 4 as corrected): outcomes gained `callback_retry`, and a leg with
    /// `TransferCompletedTimestamp` is a `transfer`. Every leg whose stored outcome may change is
    /// queued for the chain stage, which the same `ingest` runs after loading: the upgrade is
    /// one transaction with the version bump, so a killed run leaves either version whole.
    private static func upgradeToVersion2(_ db: Database) throws {
        try db.execute(sql: """
            INSERT OR IGNORE INTO pending_chain (contact_id)
            SELECT contact_id FROM contacts WHERE outcome IS NOT NULL AND outcome <> 'answered'
            """)
    }

    /// Version 1 as the first release wrote it; every new database starts here and is upgraded.
    static func createVersion1(_ db: Database) throws {
            try db.execute(sql: """
                CREATE TABLE contacts (
                    contact_id TEXT PRIMARY KEY NOT NULL,
                    instance_arn TEXT,
                    channel TEXT,
                    initiation_method TEXT,
                    initiation_ts TEXT,
                    connected_to_system_ts TEXT,
                    disconnect_ts TEXT,
                    last_update_ts TEXT,
                    disconnect_reason TEXT,
                    previous_contact_id TEXT,
                    next_contact_id TEXT,
                    initial_contact_id TEXT,
                    related_contact_id TEXT,
                    queue_name TEXT,
                    queue_arn TEXT,
                    enqueue_ts TEXT,
                    dequeue_ts TEXT,
                    queue_duration_s INTEGER,
                    agent_username TEXT,
                    agent_arn TEXT,
                    connected_to_agent_ts TEXT,
                    agent_interaction_s INTEGER,
                    customer_hold_s INTEGER,
                    number_of_holds INTEGER,
                    longest_hold_s INTEGER,
                    acw_s INTEGER,
                    routing_profile TEXT,
                    customer_address TEXT,
                    system_address TEXT,
                    transfer_completed_ts TEXT,
                    chain_id TEXT,
                    chain_depth INTEGER,
                    outcome TEXT,
                    -- chain flags, set by the chain stage (0/1)
                    missing_parent INTEGER NOT NULL DEFAULT 0,
                    missing_next INTEGER NOT NULL DEFAULT 0,
                    in_cycle INTEGER NOT NULL DEFAULT 0,
                    -- which version is current: LastUpdateTimestamp to the millisecond, then content hash
                    last_update_ms INTEGER,
                    content_hash TEXT NOT NULL,
                    -- the current record's Attributes as one JSON object; the attributes view unpacks it
                    attributes_json TEXT NOT NULL DEFAULT '{}'
                );
                CREATE INDEX contacts_previous ON contacts(previous_contact_id) WHERE previous_contact_id IS NOT NULL;
                CREATE INDEX contacts_next ON contacts(next_contact_id) WHERE next_contact_id IS NOT NULL;
                CREATE INDEX contacts_initial ON contacts(initial_contact_id) WHERE initial_contact_id IS NOT NULL;
                CREATE INDEX contacts_chain ON contacts(chain_id);

                -- Every distinct version: small rows here, the raw text apart in raw_records, so
                -- that counting and comparing versions never reads hundreds of MB of JSON.
                -- contact_versions (a view) puts them together as SPEC section 3 names them.
                CREATE TABLE versions (
                    contact_id TEXT NOT NULL,
                    content_hash TEXT NOT NULL,
                    last_update_ts TEXT,
                    last_update_ms INTEGER,
                    source_file TEXT NOT NULL,
                    byte_offset INTEGER NOT NULL,
                    deliveries INTEGER NOT NULL,
                    raw_id INTEGER NOT NULL,
                    PRIMARY KEY (contact_id, content_hash)
                ) WITHOUT ROWID;

                CREATE TABLE raw_records (
                    id INTEGER PRIMARY KEY,
                    raw_json TEXT NOT NULL
                );

                CREATE VIEW contact_versions AS
                SELECT v.contact_id, v.last_update_ts, v.last_update_ms, v.content_hash, v.source_file,
                       v.byte_offset, v.deliveries, r.raw_json
                FROM versions v JOIN raw_records r ON r.id = v.raw_id;

                -- What each file delivered, one row per file content: a line "contact_id TAB
                -- content_hash" per record read. It makes reading the same bytes again (under
                -- another path, or piped in again) count nothing twice, and lets a changed file
                -- withdraw what its old content delivered.
                CREATE TABLE file_deliveries (
                    file_hash TEXT PRIMARY KEY NOT NULL,
                    entries TEXT NOT NULL
                ) WITHOUT ROWID;

                -- A view rather than a table: contacts carry about ten attributes each, and a
                -- row per attribute would be most of the rows a load writes. Keys stay
                -- case-sensitive; a key repeated in one record keeps its last value.
                CREATE VIEW attributes AS
                SELECT c.contact_id AS contact_id, a.key AS key, a.value AS value
                FROM contacts c, json_each(c.attributes_json) a;

                CREATE TABLE ingest_files (
                    path TEXT PRIMARY KEY NOT NULL,
                    size INTEGER NOT NULL,
                    content_hash TEXT NOT NULL,
                    records INTEGER NOT NULL,
                    rejects INTEGER NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('complete', 'partial')),
                    error TEXT,
                    ingested_at TEXT NOT NULL
                );

                CREATE TABLE rejects (
                    id INTEGER PRIMARY KEY,
                    source_file TEXT NOT NULL,
                    byte_offset INTEGER NOT NULL,
                    length INTEGER NOT NULL,
                    reason TEXT NOT NULL,
                    raw_text,
                    ingested_at TEXT NOT NULL
                );
                CREATE INDEX rejects_file ON rejects(source_file);

                -- legs whose chain and outcome must be recomputed; survives a killed run
                CREATE TABLE pending_chain (contact_id TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;

                CREATE TABLE metadata (key TEXT PRIMARY KEY NOT NULL, value TEXT) WITHOUT ROWID;

                CREATE VIEW journeys AS
                SELECT chain_id,
                       COUNT(*) AS legs,
                       MIN(initiation_ts) AS first_initiation_ts,
                       MAX(disconnect_ts) AS last_disconnect_ts,
                       (SELECT group_concat(queue_name, ', ') FROM
                           (SELECT DISTINCT q.queue_name FROM contacts q
                            WHERE q.chain_id = c.chain_id AND q.queue_name IS NOT NULL AND q.enqueue_ts IS NOT NULL
                            ORDER BY q.queue_name)) AS queues,
                       MAX(connected_to_agent_ts IS NOT NULL) AS answered,
                       MAX(COALESCE(initiation_method LIKE 'CALLBACK%', 0)) AS had_callback,
                       MAX(missing_parent OR missing_next OR in_cycle) AS broken
                FROM contacts c
                GROUP BY chain_id;
                """)
    }

    /// Settings for a writing connection. WAL lets reports read while an ingest writes;
    /// `synchronous = NORMAL` in WAL mode never corrupts the database, and a process that is
    /// killed loses nothing committed (a power cut may lose the last transactions, which the
    /// next run re-ingests because their files are not in `ingest_files`).
    ///
    /// `journal: false` is for a new database built aside (`AsideBuild`): no journal, and
    /// nothing waits for the disk until the build is complete.
    public static func writerConfiguration(busyTimeoutSeconds: Double, journal: Bool = true) -> Configuration {
        var config = Configuration()
        config.busyMode = .timeout(busyTimeoutSeconds)
        config.journalMode = journal ? .wal : .default
        config.prepareDatabase { db in
            db.add(function: RawText.uncompressFunction())
            // page_size applies only to a new, empty database. 8 KiB pages: the randomly keyed
            // indexes (contact ids, links) outgrow the page cache as history grows, and every
            // insert into one reads and rewrites a whole page. At 64 KiB a 27-day load took
            // 216 s and the 28th night 8 to 10 s; at 8 KiB 135 s and 5 s.
            try db.execute(sql: """
                PRAGMA page_size = 8192;
                PRAGMA synchronous = NORMAL;
                PRAGMA cache_size = -131072;
                PRAGMA wal_autocheckpoint = 1024;
                """)
            if !journal { try db.execute(sql: "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF") }
        }
        return config
    }

    public static func readerConfiguration() -> Configuration {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(30)
        // Reports sort and group in memory: temporary files would write to disk for a read.
        config.prepareDatabase { db in
            db.add(function: RawText.uncompressFunction())
            try db.execute(sql: "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -65536")
        }
        return config
    }
}
