import Foundation
import GRDB

/// Whether a database redacts phone numbers, kept in `metadata`, and the rules that keep a
/// database from mixing redacted and clear numbers or tokens made with different keys.
public enum RedactionPolicy {
    public enum Failure: Error, LocalizedError, Equatable {
        case keyRequired
        case differentKey
        case databaseHoldsClearNumbers

        public var errorDescription: String? {
            switch self {
            case .keyRequired:
                return "this database redacts phone numbers: give its key with --redact-key-file or CTRDB_REDACT_KEY"
            case .differentKey:
                return "the redaction key differs from the one this database was written with: use the same key, or a new database"
            case .databaseHoldsClearNumbers:
                return "this database already holds unredacted phone numbers: --redact-phones must be used from a database's first ingest (start a new database)"
            }
        }
    }

    /// The redactor this run must use, or nil; records the choice on a database's first redacted run.
    static func redactor(for db: Database, options: IngestOptions) throws -> PhoneRedactor? {
        let scheme = try String.fetchOne(db, sql: "SELECT value FROM metadata WHERE key = 'redaction'")
        let check = try String.fetchOne(db, sql: "SELECT value FROM metadata WHERE key = 'redaction_key_check'")
        guard options.redactPhones || scheme != nil else { return nil }
        guard let redactor = options.redactor else { throw Failure.keyRequired }
        if scheme != nil {
            guard check == redactor.keyCheck else { throw Failure.differentKey }
            return redactor
        }
        let hasContacts = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM versions)") ?? false
        guard !hasContacts else { throw Failure.databaseHoldsClearNumbers }
        try db.execute(sql: "INSERT INTO metadata (key, value) VALUES ('redaction', ?), ('redaction_key_check', ?)",
                       arguments: [PhoneRedactor.scheme, redactor.keyCheck])
        return redactor
    }
}
