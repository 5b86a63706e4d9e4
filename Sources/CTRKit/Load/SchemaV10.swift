import GRDB

/// Schema version 10: a leg loaded after legs that name it takes their links out of
/// `awaited_links` in the load stage (`ContactStore`), instead of in the trigger `leg_arrived`.
///
/// The trigger ran for every inserted leg, to look for links awaiting it, and found some for
/// few: inserting 200,000 legs of the 27-day database into an empty one took 1.19 to 1.32 s
/// without it and 1.41 to 1.46 s with it (the same statement, the other triggers kept). The load
/// knows without a look: its probe of a leg not stored asks whether one awaits it
/// (`SchemaV9.isNamed`), and in a new database built aside, an id that no record of the run
/// named or carried cannot be awaited. A leg's arrival is written in the statement's
/// transaction, right after its row, as the trigger wrote it.
enum SchemaV10 {
    static func upgrade(_ db: Database) throws {
        try db.execute(sql: "DROP TRIGGER leg_arrived")
    }

    /// SQL: the links that awaited leg ?2 now reach its rowid ?1.
    static let arrive = "INSERT OR IGNORE INTO leg_links SELECT ?1, namer_id, kind FROM awaited_links WHERE contact_id = ?2"

    /// SQL: leg ?1 is no longer awaited.
    static let arrived = "DELETE FROM awaited_links WHERE contact_id = ?1"
}
