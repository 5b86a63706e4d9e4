import GRDB

/// Schema version 8: whether a leg is named by another leg is kept apart, in small tables,
/// instead of being looked up in the indexes of every link.
///
/// The load asks it of every record's leg: a leg that another names is not a journey of its
/// own, and goes to the chain stage. It was answered from `contacts_previous` and
/// `contacts_next`, keyed by random ids, which at 27 days of history made two random page
/// reads per record: without them the 28th night took 1.16 s instead of 1.53 s (median of 5),
/// and 0.75 s instead of 0.80 s at 3 days.
///
/// - `named_legs`: the rowids of the stored legs that another stored leg names as its
///   `PreviousContactId` or `NextContactId` (keyed by arrival, like the legs);
/// - `awaited_legs`: the ids a stored leg names that no stored leg has (a parent or next leg not
///   loaded yet): few, and looked up only by the probe.
///
/// The chain stage keeps both for every group it resolves: it reads the whole group, every leg
/// that names one of its legs included, so it knows which are named and which names are
/// missing. Between a load and the chain stage a leg may be named and not yet marked: the leg
/// that names it is then pending itself, and the stage resolves both together. An entry left
/// behind (a leg withdrawn, a name dropped) only sends a leg to the chain stage once more.
///
/// Version 9 replaces both tables, and the index on `next_contact_id`, with links kept exact by
/// triggers (`SchemaV9`).
enum SchemaV8 {
    static func upgrade(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE named_legs (leg_id INTEGER PRIMARY KEY);
            INSERT INTO named_legs
            SELECT c.rowid FROM contacts n JOIN contacts c ON c.contact_id = n.previous_contact_id WHERE n.previous_contact_id IS NOT NULL
            UNION SELECT c.rowid FROM contacts n JOIN contacts c ON c.contact_id = n.next_contact_id WHERE n.next_contact_id IS NOT NULL
            ORDER BY 1;
            CREATE TABLE awaited_legs (contact_id TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;
            INSERT INTO awaited_legs
            SELECT n.previous_contact_id FROM contacts n
            WHERE n.previous_contact_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.contact_id = n.previous_contact_id)
            UNION SELECT n.next_contact_id FROM contacts n
            WHERE n.next_contact_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.contact_id = n.next_contact_id);
            DROP TRIGGER contact_removed;
            CREATE TRIGGER contact_removed AFTER DELETE ON contacts
            BEGIN
                DELETE FROM journeys WHERE rowid = old.rowid;
                DELETE FROM named_legs WHERE leg_id = old.rowid;
            END;
            """)
    }
}
