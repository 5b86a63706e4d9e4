import GRDB

/// A row of `ingest_files`: what one path delivered.
public struct IngestedFile: Equatable, Sendable {
    public var path: String
    public var size: Int64
    /// Hash of the whole file (see `ContentHasher`), as 16 hex digits.
    public var contentHash: String
    public var records: Int
    public var rejects: Int
    /// `complete` or `partial`.
    public var status: String
    public var error: String?
}

/// The ingest manifest (`ingest_files`, `file_deliveries`): which content each path
/// delivered, and the withdrawal of what a path delivered when its content changed.
struct Manifest {
    let db: Database

    init(_ db: Database) { self.db = db }

    func ingestedFile(at path: String) throws -> IngestedFile? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT path, size, content_hash, records, rejects, status, error FROM ingest_files WHERE path = ?"),
                         arguments: [path]).map {
            IngestedFile(path: $0[0], size: $0[1], contentHash: $0[2], records: $0[3], rejects: $0[4], status: $0[5], error: $0[6])
        }
    }

    /// Writes a path's row. (An upsert, not INSERT OR REPLACE: the triggers that count partial
    /// files see an update where REPLACE would delete without telling them.)
    ///
    /// The statements run for every file are prepared once per connection (`cachedStatement`):
    /// compiling this one compiles the triggers on `ingest_files` too.
    func record(_ file: IngestedFile, ingestedAt: String) throws {
        try db.cachedStatement(sql: """
            INSERT INTO ingest_files (path, size, content_hash, records, rejects, status, error, ingested_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (path) DO UPDATE SET size = excluded.size, content_hash = excluded.content_hash, records = excluded.records,
                rejects = excluded.rejects, status = excluded.status, error = excluded.error, ingested_at = excluded.ingested_at
            """).execute(arguments: [file.path, file.size, file.contentHash, file.records, file.rejects, file.status, file.error, ingestedAt])
    }

    /// Whether these exact bytes were loaded before (under any path, or from standard input).
    func delivered(fileHash: String) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM file_deliveries WHERE file_hash = ?)"), arguments: [fileHash]) ?? false
    }

    /// A second path for content already loaded: its row repeats the first one's figures.
    func recordCopy(of fileHash: String, at path: String, size: Int64, ingestedAt: String) throws {
        let first = try Row.fetchOne(db, sql: "SELECT size, records, rejects, status, error FROM ingest_files WHERE content_hash = ? LIMIT 1", arguments: [fileHash])
        let file = first.map {
            IngestedFile(path: path, size: $0[0], contentHash: fileHash, records: $0[1], rejects: $0[2], status: $0[3], error: $0[4])
        } ?? IngestedFile(path: path, size: size, contentHash: fileHash, records: 0, rejects: 0, status: "complete",
                          error: "the same content as an earlier standard input")
        try record(file, ingestedAt: ingestedAt)
    }

    /// A file at this path was ingested before with other content: what it contributed is
    /// withdrawn (its rejects, its deliveries, versions no other file delivered), and the
    /// contacts it touched fall back to their newest remaining version.
    func withdraw(path: String, previousHash: String, store: ContactStore) throws {
        // The versions it removes and those it restores may be this transaction's: their text
        // must be stored first, for the block to go with its last version and be read back.
        try store.settle()
        try db.execute(sql: "DELETE FROM rejects WHERE source_file = ?", arguments: [path])
        try db.execute(sql: "DELETE FROM ingest_files WHERE path = ?", arguments: [path])
        let stillListed = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM ingest_files WHERE content_hash = ?)", arguments: [previousHash]) ?? false
        guard !stillListed else { return }
        // One statement per call: in a multi-statement string GRDB hands the arguments to the
        // first statement only, so a repeated `?1` would be missing from the later ones.
        try db.execute(sql: """
            CREATE TEMP TABLE IF NOT EXISTS forgotten (contact_id TEXT NOT NULL, content_hash TEXT NOT NULL, n INTEGER NOT NULL);
            CREATE TEMP TABLE IF NOT EXISTS forgotten_versions (leg_id INTEGER NOT NULL, content_hash TEXT NOT NULL, n INTEGER NOT NULL,
                PRIMARY KEY (leg_id, content_hash));
            DELETE FROM forgotten;
            DELETE FROM forgotten_versions;
            """)
        let entries = try String.fetchOne(db, sql: "SELECT entries FROM file_deliveries WHERE file_hash = ?", arguments: [previousHash]) ?? ""
        var counts: [String: Int] = [:]
        for line in entries.split(separator: "\n") { counts[String(line), default: 0] += 1 }
        let insert = try db.makeStatement(sql: "INSERT INTO forgotten (contact_id, content_hash, n) VALUES (?, ?, ?)")
        for (line, n) in counts {
            let parts = line.split(separator: "\t", maxSplits: 1)
            guard parts.count == 2 else { continue }
            try insert.execute(arguments: [String(parts[0]), String(parts[1]), n])
        }
        try db.execute(sql: "DELETE FROM file_deliveries WHERE file_hash = ?", arguments: [previousHash])
        try db.execute(sql: """
            INSERT INTO forgotten_versions (leg_id, content_hash, n)
            SELECT c.rowid, f.content_hash, f.n FROM forgotten f JOIN contacts c ON c.contact_id = f.contact_id
            """)
        try QualityCounters.withdrawDeliveries(db)
        let touched = try String.fetchAll(db, sql: "SELECT DISTINCT contact_id FROM forgotten")
        var staleChains: Set<String> = []
        for contactId in touched {
            staleChains.formUnion(try store.restoreNewestVersion(of: contactId))
        }
        try store.journeys.run(staleChains)
    }
}
