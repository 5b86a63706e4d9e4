import Foundation
import GRDB

/// Runs read-only SQL and streams its rows to a `RowWriter`.
public enum QueryRunner {
    public enum Failure: Error, LocalizedError {
        case noDatabase(path: String)
        /// Only `<path>.building`: a first ingest is building the database aside, or was stopped.
        case databaseBeingBuilt(path: String)
        case databaseBuildStopped(path: String)
        case notADatabase(path: String, reason: String)
        case noSuchTable(name: String, known: [String])

        public var errorDescription: String? {
            switch self {
            case let .noDatabase(path): return "no database at \(path): run `ctrdb ingest` first, or name one with --db"
            case let .databaseBeingBuilt(path):
                return "no database at \(path) yet: the first `ctrdb ingest` into it is still building it (\(AsideBuild.path(for: path))); run this again when it has finished"
            case let .databaseBuildStopped(path):
                return "no database at \(path): the first `ctrdb ingest` into it was stopped before it finished (\(AsideBuild.path(for: path)) is what it left); run that ingest again"
            case let .notADatabase(path, reason): return "cannot open \(path) as a ctrdb database: \(reason)"
            case let .noSuchTable(name, known): return "no table or view named \(name); there are: \(known.joined(separator: ", "))"
            }
        }
    }

    /// Opens the database read-only: `report`, `sql`, `chain` and `export` never write.
    public static func openReadOnly(_ path: String) throws -> DatabaseQueue {
        guard FileManager.default.fileExists(atPath: path) else {
            switch AsideBuild.leftover(at: path) {
            case .underWay?: throw Failure.databaseBeingBuilt(path: path)
            case .abandoned?: throw Failure.databaseBuildStopped(path: path)
            case nil: throw Failure.noDatabase(path: path)
            }
        }
        do {
            let queue = try DatabaseQueue(path: path, configuration: Schema.readerConfiguration())
            _ = try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master") }
            return queue
        } catch let error as DatabaseError {
            throw Failure.notADatabase(path: path, reason: error.message ?? error.description)
        }
    }

    /// Runs one statement; returns the number of rows written.
    @discardableResult
    public static func run(_ sql: String, arguments: StatementArguments = StatementArguments(), in db: Database, to writer: RowWriter) throws -> Int {
        let statement = try db.makeStatement(sql: sql)
        try statement.setArguments(arguments)
        // Step once before writing anything: a statement that fails (a write on a read-only
        // connection, say) must leave the output empty rather than holding a lone header.
        let rows = try Row.fetchCursor(statement)
        let first = try rows.next()
        try writer.begin(columns: statement.columnNames)
        var count = 0
        var row = first
        while let current = row {
            try writer.write(row: current.databaseValues.map(Cell.init))
            count += 1
            row = try rows.next()
        }
        try writer.finish()
        return count
    }
}

extension QueryRunner {
    /// Dumps a whole table or view. The name is checked against the schema first, since an
    /// identifier cannot be a bound parameter.
    @discardableResult
    public static func export(_ name: String, in db: Database, to writer: RowWriter) throws -> Int {
        let known = try String.fetchAll(db, sql: """
            SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%' ORDER BY name
            """)
        guard known.contains(name) else { throw Failure.noSuchTable(name: name, known: known) }
        return try run("SELECT * FROM \(name.quotedDatabaseIdentifier)", in: db, to: writer)
    }
}

extension Cell {
    init(_ value: DatabaseValue) {
        switch value.storage {
        case .null: self = .null
        case let .int64(v): self = .integer(v)
        case let .double(v): self = .real(v)
        case let .string(s): self = .text(s)
        case let .blob(data): self = .blob([UInt8](data))
        }
    }
}
