import GRDB

/// Schema version 9: the links between legs are kept by the named leg's rowid (arrival order),
/// in a table that triggers keep exact, instead of in the indexes of the links, keyed by random
/// ids.
///
/// `contacts_previous` and `contacts_next` held every linked leg at the random place of the id
/// it names: the 28th night into 27 days of history rewrote 759 and 772 of their 766 and 780
/// pages, against 91 and 89 at 3 days. A leg is mostly named by legs of the same journey,
/// loaded soon after it, so entries keyed by its rowid go at the end of the table.
/// `contacts_next` goes. `contacts_previous` stays for readers: the callback reports follow a
/// request to its callback legs by it, as an analyst's `WHERE previous_contact_id = ?` does
/// (without it the five one-day reports took 59 s at 3 days instead of 0.6 s); the load and the
/// chain stage no longer read it, so a first load builds it at its end (`DeferredIndexes`).
///
/// - `leg_links`: one row per link of a stored leg (`namer_id`) to a stored leg (`leg_id`),
///   `kind` 0 for `PreviousContactId`, 1 for `NextContactId`;
/// - `awaited_links`: the same for a named id that no stored leg has (a parent or next leg
///   not loaded yet, or never delivered), by the id: few rows.
///
/// Triggers on `contacts` keep both exact in the transaction that changes a leg, as an index
/// would be: a new leg's links and the links that awaited it (since version 10 the load takes
/// those itself, `SchemaV10`), a leg's changed links, a removed leg's links, and the links to
/// it, which await it again. So the load learns whether a leg is
/// named (`isNamed`), and the chain stage finds the legs that name one (its closure joins
/// `leg_links` and `awaited_links`). `named_legs` and `awaited_legs` (version 8), which the chain
/// stage kept, and were only "as far as they tell", are gone.
enum SchemaV9 {
    static func upgrade(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE leg_links (
                leg_id INTEGER NOT NULL,
                namer_id INTEGER NOT NULL,
                kind INTEGER NOT NULL,
                PRIMARY KEY (leg_id, namer_id, kind)
            ) WITHOUT ROWID;
            INSERT INTO leg_links
            SELECT p.rowid, n.rowid, 0 FROM contacts n JOIN contacts p ON p.contact_id = n.previous_contact_id
            UNION ALL SELECT p.rowid, n.rowid, 1 FROM contacts n JOIN contacts p ON p.contact_id = n.next_contact_id
            ORDER BY 1, 2, 3;
            CREATE TABLE awaited_links (
                contact_id TEXT NOT NULL,
                namer_id INTEGER NOT NULL,
                kind INTEGER NOT NULL,
                PRIMARY KEY (contact_id, namer_id, kind)
            ) WITHOUT ROWID;
            INSERT INTO awaited_links
            SELECT n.previous_contact_id, n.rowid, 0 FROM contacts n
            WHERE n.previous_contact_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM contacts p WHERE p.contact_id = n.previous_contact_id)
            UNION ALL SELECT n.next_contact_id, n.rowid, 1 FROM contacts n
            WHERE n.next_contact_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM contacts p WHERE p.contact_id = n.next_contact_id)
            ORDER BY 1, 2, 3;
            DROP INDEX contacts_next;
            DROP TABLE named_legs;
            DROP TABLE awaited_legs;
            DROP TRIGGER contact_removed;
            \(triggers)
            """)
    }

    /// The linking columns, by `kind`.
    private static let linkColumns = ["previous_contact_id", "next_contact_id"]

    /// SQL: ` AND` the update changed `column`, when `changedOnly`; else nothing.
    private static func changed(_ column: String, only changedOnly: Bool) -> String {
        changedOnly ? " AND old.\(column) IS NOT new.\(column)" : ""
    }

    /// SQL adding the links of the leg `row` (`new` or `old`); with `changedOnly`, only those of the
    /// columns whose value the update changed.
    private static func link(_ row: String, changedOnly: Bool = false) -> String {
        linkColumns.enumerated().map { kind, column in
            let changed = changed(column, only: changedOnly)
            return """
                INSERT OR IGNORE INTO leg_links SELECT rowid, \(row).rowid, \(kind) FROM contacts
                WHERE contact_id = \(row).\(column)\(changed);
                INSERT OR IGNORE INTO awaited_links SELECT \(row).\(column), \(row).rowid, \(kind)
                WHERE \(row).\(column) IS NOT NULL\(changed) AND NOT EXISTS (SELECT 1 FROM contacts WHERE contact_id = \(row).\(column));
                """
        }.joined(separator: "\n")
    }

    /// SQL removing the links of the leg `row`; with `changedOnly`, as `link`.
    private static func unlink(_ row: String, changedOnly: Bool = false) -> String {
        linkColumns.enumerated().map { kind, column in
            let changed = changed(column, only: changedOnly)
            return """
                DELETE FROM leg_links WHERE leg_id = (SELECT rowid FROM contacts WHERE contact_id = \(row).\(column))
                    AND namer_id = \(row).rowid AND kind = \(kind)\(changed);
                DELETE FROM awaited_links WHERE contact_id = \(row).\(column) AND namer_id = \(row).rowid AND kind = \(kind)\(changed);
                """
        }.joined(separator: "\n")
    }

    /// The triggers that keep the links (and, as version 7's did, a journey's row with its head).
    static let triggers = """
        CREATE TRIGGER leg_links_added AFTER INSERT ON contacts
        WHEN new.previous_contact_id IS NOT NULL OR new.next_contact_id IS NOT NULL
        BEGIN
            \(link("new"))
        END;
        CREATE TRIGGER leg_arrived AFTER INSERT ON contacts
        WHEN EXISTS (SELECT 1 FROM awaited_links WHERE contact_id = new.contact_id)
        BEGIN
            INSERT OR IGNORE INTO leg_links SELECT new.rowid, namer_id, kind FROM awaited_links WHERE contact_id = new.contact_id;
            DELETE FROM awaited_links WHERE contact_id = new.contact_id;
        END;
        CREATE TRIGGER leg_links_changed AFTER UPDATE OF previous_contact_id, next_contact_id ON contacts
        BEGIN
            \(unlink("old", changedOnly: true))
            \(link("new", changedOnly: true))
        END;
        -- A row at a positive rowid is the journey its leg heads: it goes with the leg (a withdrawn
        -- file's last version, or an edit by hand), and a refresh writes what is left of the chain.
        -- The legs that named the removed leg await it again.
        CREATE TRIGGER contact_removed AFTER DELETE ON contacts
        BEGIN
            DELETE FROM journeys WHERE rowid = old.rowid;
            \(unlink("old"))
            INSERT OR IGNORE INTO awaited_links SELECT old.contact_id, namer_id, kind FROM leg_links WHERE leg_id = old.rowid AND namer_id <> old.rowid;
            DELETE FROM leg_links WHERE leg_id = old.rowid;
        END;
        """

    /// SQL: 1 when the leg `contact_id` ?1 (at `rowid`, an SQL expression, NULL when it is not
    /// stored) is named by a stored leg.
    static func isNamed(rowid: String) -> String {
        "(EXISTS (SELECT 1 FROM leg_links WHERE leg_id = \(rowid)) OR EXISTS (SELECT 1 FROM awaited_links WHERE contact_id = ?1))"
    }
}
