import GRDB

/// The indexes a new database built aside (`AsideBuild`) is loaded without: each is built
/// once its rows are in, by one `CREATE INDEX` (a sort, then its pages written in order),
/// instead of by an insert into it for every row.
///
/// Only indexes that nothing in a run reads can wait: those on the timestamps that reports and
/// `--day` filter on, the one on `previous_contact_id`, by which the callback reports follow
/// a request (the chain stage reads `leg_links` since version 9), and the one on a version's
/// raw block, which only a withdrawal reads (a path loaded again with other content: none in a
/// new database; without it, the 7-day first load took 0.96x the time, 7 pairs). They are built
/// when the build is complete, before it takes its path.
///
/// Each is created again from its own definition, as the schema wrote it, so the finished
/// database has the indexes of one loaded in place (`AsideBuildTests`).
struct DeferredIndexes {
    static let all = ["contacts_disconnect", "contacts_initiation", "contacts_enqueue", "contacts_connected_to_agent",
                      "contacts_previous", "journeys_first_initiation", "stored_versions_block"]

    /// The definitions of the indexes dropped and not created again yet, by name.
    private var waiting: [String: String] = [:]

    /// Drops every deferred index of a new database, keeping its definition.
    init(dropping db: Database) throws {
        for name in Self.all {
            guard let definition = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?",
                                                       arguments: [name]) else { continue }
            waiting[name] = definition
            try db.execute(sql: "DROP INDEX \(name)")
        }
    }

    /// Creates the indexes still waiting.
    mutating func create(in db: Database) throws {
        let definitions = Self.all.compactMap { waiting.removeValue(forKey: $0) }
        guard !definitions.isEmpty else { return }
        // The load's page cache is full by now: with a small sorter beside it, the 90-day first
        // load peaks at what its load takes.
        try Schema.withBoundedSorter(db, bytes: 8 << 20) {
            for definition in definitions { try db.execute(sql: definition) }
        }
    }
}
