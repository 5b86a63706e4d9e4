import GRDB

/// Which partitions changed since the last `ctrdb lake`: triggers on `contacts` that note the
/// partition dates and chains of every inserted, updated or deleted leg, old and new.
///
/// Installed by the first `ctrdb lake` (a database never exported pays nothing). A leg's dates
/// are its `legs/` partition (disconnect, else initiation) and its initiation date (where its
/// journey may start); its chains are its old and new `chain_id`. At export, each dirty chain
/// adds the dates of all its current legs, so a callback leg arriving late marks the day of
/// the request it answered, and a parent arriving marks every leg whose chain it changed.
///
/// Each noted row carries a generation that every new note bumps, and a run clears only the
/// rows whose generation it read: a change noted while a run exports is kept for the next.
struct LakeChangeLog {
    static let dateTable = "lake_dirty_dates"
    static let chainTable = "lake_dirty_chains"
    static let triggerNames = ["lake_contacts_insert", "lake_contacts_update", "lake_contacts_delete",
                               "lake_conflicts_insert", "lake_conflicts_delete"]

    /// What one run read: the noted rows (to clear later) and the partition dates they make dirty.
    struct Snapshot {
        var dates: [String: Int64] = [:]
        var chains: [String: Int64] = [:]
        var dirtyDates: Set<String> = []
    }

    static func isInstalled(_ db: Database) throws -> Bool {
        let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ('\(triggerNames.joined(separator: "', '"))')")
        return count == triggerNames.count
    }

    static func install(_ db: Database) throws {
        func noting(_ row: String) -> String {
            """
            INSERT INTO \(dateTable) (dt)
                SELECT d FROM (SELECT substr(COALESCE(\(row).disconnect_ts, \(row).initiation_ts), 1, 10) AS d
                               UNION SELECT substr(\(row).initiation_ts, 1, 10))
                WHERE d IS NOT NULL
                ON CONFLICT (dt) DO UPDATE SET generation = generation + 1;
            INSERT INTO \(chainTable) (chain_id) SELECT \(row).chain_id WHERE \(row).chain_id IS NOT NULL
                ON CONFLICT (chain_id) DO UPDATE SET generation = generation + 1;
            """
        }
        func conflict(_ row: String) -> String {
            """
            INSERT INTO \(dateTable) (dt)
                SELECT substr(COALESCE(c.disconnect_ts, c.initiation_ts), 1, 10) FROM contacts c
                WHERE c.rowid = \(row).leg_id AND COALESCE(c.disconnect_ts, c.initiation_ts) IS NOT NULL
                ON CONFLICT (dt) DO UPDATE SET generation = generation + 1;
            """
        }
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS \(dateTable) (dt TEXT PRIMARY KEY NOT NULL, generation INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS \(chainTable) (chain_id TEXT PRIMARY KEY NOT NULL, generation INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
            CREATE TRIGGER IF NOT EXISTS lake_contacts_insert AFTER INSERT ON contacts BEGIN
            \(noting("NEW"))
            END;
            CREATE TRIGGER IF NOT EXISTS lake_contacts_update AFTER UPDATE ON contacts BEGIN
            \(noting("OLD"))
            \(noting("NEW"))
            END;
            CREATE TRIGGER IF NOT EXISTS lake_contacts_delete AFTER DELETE ON contacts BEGIN
            \(noting("OLD"))
            END;
            -- a leg gaining or losing a conflicting version changes its legs row without changing contacts
            CREATE TRIGGER IF NOT EXISTS lake_conflicts_insert AFTER INSERT ON conflicting_legs BEGIN
            \(conflict("NEW"))
            END;
            CREATE TRIGGER IF NOT EXISTS lake_conflicts_delete AFTER DELETE ON conflicting_legs BEGIN
            \(conflict("OLD"))
            END;
            """)
    }

    /// The noted changes and the partition dates they make dirty, read in the export's snapshot.
    static func read(_ db: Database) throws -> Snapshot {
        var snapshot = Snapshot()
        for row in try Row.fetchAll(db, sql: "SELECT dt, generation FROM \(dateTable)") {
            snapshot.dates[row[0]] = row[1]
        }
        for row in try Row.fetchAll(db, sql: "SELECT chain_id, generation FROM \(chainTable)") {
            snapshot.chains[row[0]] = row[1]
        }
        snapshot.dirtyDates = Set(snapshot.dates.keys)
        snapshot.dirtyDates.formUnion(try String.fetchAll(db, sql: datesOfNotedChains))
        return snapshot
    }

    /// SQL: the partition dates of the noted chains' legs. CROSS JOIN keeps the noted chains
    /// outside, so that each finds its legs through the two indexes of `JourneyStore.legs`
    /// (SQLite would otherwise scan `contacts`).
    static let datesOfNotedChains = """
        SELECT substr(COALESCE(c.disconnect_ts, c.initiation_ts), 1, 10) FROM \(chainTable) t CROSS JOIN contacts c ON \(chainLegs)
        WHERE COALESCE(c.disconnect_ts, c.initiation_ts) IS NOT NULL
        UNION
        SELECT substr(c.initiation_ts, 1, 10) FROM \(chainTable) t CROSS JOIN contacts c ON \(chainLegs)
        WHERE c.initiation_ts IS NOT NULL
        """
    private static let chainLegs = JourneyStore.legs("c", ofChain: "t.chain_id")

    /// Every partition date the database has (for a full export).
    static func allDates(_ db: Database) throws -> Set<String> {
        Set(try String.fetchAll(db, sql: """
            SELECT DISTINCT substr(COALESCE(disconnect_ts, initiation_ts), 1, 10) FROM contacts WHERE COALESCE(disconnect_ts, initiation_ts) IS NOT NULL
            UNION
            SELECT DISTINCT substr(initiation_ts, 1, 10) FROM contacts WHERE initiation_ts IS NOT NULL
            """))
    }

    /// Forgets what `snapshot` read, unless it was noted again since.
    static func clear(_ snapshot: Snapshot, in db: Database) throws {
        let dates = try db.makeStatement(sql: "DELETE FROM \(dateTable) WHERE dt = ? AND generation = ?")
        for (date, generation) in snapshot.dates { try dates.execute(arguments: [date, generation]) }
        let chains = try db.makeStatement(sql: "DELETE FROM \(chainTable) WHERE chain_id = ? AND generation = ?")
        for (chain, generation) in snapshot.chains { try chains.execute(arguments: [chain, generation]) }
    }
}
