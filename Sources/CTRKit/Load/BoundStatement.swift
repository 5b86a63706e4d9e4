import GRDB
import GRDBSQLite

/// A statement prepared once and bound through SQLite's C API, for the load stage's hot path:
/// GRDB's `StatementArguments` allocates an array per row, which a bulk load cannot afford.
final class BoundStatement {
    private let statement: Statement
    private let handle: OpaquePointer
    private let connection: OpaquePointer
    private var nextIndex: Int32 = 1

    init(_ db: Database, _ sql: String) throws {
        statement = try db.makeStatement(sql: sql)
        handle = statement.sqliteStatement
        connection = db.sqliteConnection!
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    func bind(_ value: String?) {
        defer { nextIndex += 1 }
        guard var value else {
            sqlite3_bind_null(handle, nextIndex)
            return
        }
        value.withUTF8 { bindText(UnsafeRawBufferPointer($0)) }
    }

    /// Binds bytes as text at the current index, copied (`transient`).
    private func bindText(_ bytes: UnsafeRawBufferPointer) {
        if let base = bytes.baseAddress, bytes.count > 0 {
            _ = sqlite3_bind_text(handle, nextIndex, base.assumingMemoryBound(to: CChar.self), Int32(bytes.count), BoundStatement.transient)
        } else {
            // A null pointer would bind NULL; an empty string must stay an empty string.
            _ = sqlite3_bind_text(handle, nextIndex, "", 0, BoundStatement.transient)
        }
    }

    /// A timestamp as the database's text, formatted on the stack.
    func bind(_ value: Timestamp?) {
        defer { nextIndex += 1 }
        guard let value else {
            sqlite3_bind_null(handle, nextIndex)
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
            value.write(into: buffer.baseAddress!)
            bindText(UnsafeRawBufferPointer(buffer))
        }
    }

    func bind(_ value: Int64?) {
        defer { nextIndex += 1 }
        guard let value else {
            sqlite3_bind_null(handle, nextIndex)
            return
        }
        sqlite3_bind_int64(handle, nextIndex, value)
    }

    /// Text when the bytes are valid UTF-8, else a blob: nothing is altered to fit.
    func bind(bytes: [UInt8]) {
        if let text = String(validating: bytes, as: UTF8.self) {
            bind(text)
            return
        }
        defer { nextIndex += 1 }
        bytes.withUnsafeBytes { raw in
            _ = sqlite3_bind_blob(handle, nextIndex, raw.baseAddress, Int32(raw.count), BoundStatement.transient)
        }
    }

    /// A blob, copied by SQLite before the call returns.
    func bind(blob: UnsafeRawBufferPointer) {
        defer { nextIndex += 1 }
        _ = sqlite3_bind_blob(handle, nextIndex, blob.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(blob.count), BoundStatement.transient)
    }

    /// The rowid of the last row this connection inserted.
    var lastInsertedRowID: Int64 { sqlite3_last_insert_rowid(connection) }

    /// Runs the statement to completion.
    func run() throws {
        try forEachRow { _ in }
    }

    /// Binds one large text as the last parameter without copying it, and runs the statement
    /// while the text is pinned (SQLite reads it in place: `SQLITE_STATIC`).
    func run(bindingLast text: String) throws {
        var text = text
        try text.withUTF8 { bytes in
            if let base = bytes.baseAddress, bytes.count > 0 {
                _ = sqlite3_bind_text(handle, nextIndex, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil)
            } else {
                _ = sqlite3_bind_text(handle, nextIndex, "", 0, BoundStatement.transient)
            }
            nextIndex += 1
            try run()
        }
    }

    /// UTF-8 bytes as text, exactly (nil binds NULL).
    func bind(text bytes: [UInt8]?) {
        defer { nextIndex += 1 }
        guard let bytes else {
            sqlite3_bind_null(handle, nextIndex)
            return
        }
        bytes.withUnsafeBytes { bindText($0) }
    }

    /// The current row of a running statement, read column by column.
    struct Columns {
        fileprivate let handle: OpaquePointer

        func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

        func int(_ column: Int32) -> Int64? { isNull(column) ? nil : sqlite3_column_int64(handle, column) }

        /// The value as text, its bytes as SQLite holds them.
        func bytes(_ column: Int32) -> [UInt8]? {
            guard !isNull(column), let text = sqlite3_column_text(handle, column) else { return nil }
            return Array(UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(handle, column))))
        }
    }

    /// Runs the statement, calling `body` with each row.
    func forEachRow(_ body: (Columns) throws -> Void) throws {
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
            nextIndex = 1
        }
        while true {
            let code = sqlite3_step(handle)
            switch code {
            case SQLITE_ROW: try body(Columns(handle: handle))
            case SQLITE_DONE: return
            default: throw error(code)
            }
        }
    }

    /// Runs the statement; returns the first row's first `columns` values as text (nil for null), if any.
    func firstRowTexts(columns: Int32) throws -> [String?]? {
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
            nextIndex = 1
        }
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW:
            return (0..<columns).map { column in sqlite3_column_text(handle, column).map { String(cString: $0) } }
        case SQLITE_DONE:
            return nil
        default:
            throw error(code)
        }
    }

    /// Runs the statement; returns the first row's first value as an integer (nil for null), if any.
    func firstInt() throws -> Int64? {
        var value: Int64?
        try forEachRow { row in
            if value == nil { value = row.int(0) }
        }
        return value
    }

    private func error(_ code: Int32) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)), sql: statement.sql)
    }

    var changes: Int32 { sqlite3_changes(connection) }
}
