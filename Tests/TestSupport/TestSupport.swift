import CZlib
import Foundation
import GRDB

// Helpers both test targets use: scratch folders, gzip, reading tables back and reading CSV
// back. (One copy here, so the unit tests and the end-to-end tests cannot drift apart.)

/// The seed example's two legs (SPEC section 6): CTR-1, the inbound call, and CTR-2, the
/// callback it turned into.
public enum SeedContacts {
    public static let ctr1 = "c7a1e3b0-0001-4000-8000-000000000001"
    public static let ctr2 = "c7a1e3b0-0002-4000-8000-000000000002"
}

/// A scratch folder under the temporary directory, removed when released.
public final class TemporaryFolder {
    public let url: URL
    public var path: String { url.path }

    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("ctrdb-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes a file (creating its folders); returns its path.
    @discardableResult
    public func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: file)
        return file.path
    }

    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String { try write(name, Array(text.utf8)) }

    /// The path of a file in the folder (which need not exist).
    public func file(_ name: String) -> String { url.appendingPathComponent(name).path }
}

/// Gzip (one member) made with zlib: windowBits 31 writes the gzip wrapper.
public func gzip(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
    var stream = z_stream()
    precondition(czlib_deflateInit2(&stream, level, 31) == Z_OK)
    defer { deflateEnd(&stream) }
    var input = bytes
    var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 64)
    let capacity = output.count
    input.withUnsafeMutableBufferPointer { inp in
        output.withUnsafeMutableBufferPointer { out in
            stream.next_in = inp.baseAddress
            stream.avail_in = uInt(inp.count)
            stream.next_out = out.baseAddress
            stream.avail_out = uInt(capacity)
            let status = deflate(&stream, Z_FINISH)
            precondition(status == Z_STREAM_END, "deflate failed: \(status)")
        }
    }
    return Array(output[..<Int(stream.total_out)])
}

public func gzip(_ text: String) -> [UInt8] { gzip(Array(text.utf8)) }

/// Every row of a query on a database opened read-only, each value as text (`NULL` for
/// null, `blob:` and hex for a blob), for whole-table comparisons.
public func rows(_ db: String, _ sql: String) throws -> [[String]] {
    var config = Configuration()
    config.readonly = true
    // The views inflate raw JSON with the sqlite3 shell's function; this is the README's
    // recipe for other SQLite clients, written apart from ctrdb's own.
    config.prepareDatabase { db in db.add(function: sqlarUncompress) }
    return try DatabaseQueue(path: db, configuration: config).read { db in
        try Row.fetchAll(db, sql: sql).map { row in
            row.databaseValues.map { value -> String in
                switch value.storage {
                case .null: return "NULL"
                case let .int64(v): return String(v)
                case let .double(v): return String(v)
                case let .string(s): return s
                case let .blob(d): return "blob:" + d.map { String(format: "%02x", $0) }.joined()
                }
            }
        }
    }
}

/// How far `leg_links` and `awaited_links` (schema version 9) are from their definition (each
/// count must be 0): links of a stored leg to a stored leg missing from `leg_links`, rows of
/// `leg_links` that no link defines, and the same for the names no stored leg has.
public func linksAgainstDefinition(_ db: String) throws -> [[String]] {
    try rows(db, """
        WITH expected(leg_id, namer_id, kind) AS (
            SELECT p.rowid, n.rowid, 0 FROM contacts n JOIN contacts p ON p.contact_id = n.previous_contact_id
            UNION ALL SELECT p.rowid, n.rowid, 1 FROM contacts n JOIN contacts p ON p.contact_id = n.next_contact_id),
        awaited(contact_id, namer_id, kind) AS (
            SELECT n.previous_contact_id, n.rowid, 0 FROM contacts n
            WHERE n.previous_contact_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM contacts p WHERE p.contact_id = n.previous_contact_id)
            UNION ALL SELECT n.next_contact_id, n.rowid, 1 FROM contacts n
            WHERE n.next_contact_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM contacts p WHERE p.contact_id = n.next_contact_id))
        SELECT (SELECT COUNT(*) FROM (SELECT * FROM expected EXCEPT SELECT * FROM leg_links)),
               (SELECT COUNT(*) FROM (SELECT * FROM leg_links EXCEPT SELECT * FROM expected)),
               (SELECT COUNT(*) FROM (SELECT * FROM awaited EXCEPT SELECT * FROM awaited_links)),
               (SELECT COUNT(*) FROM (SELECT * FROM awaited_links EXCEPT SELECT * FROM awaited))
        """)
}

/// RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks.
public func parseCSV(_ text: String) -> [[String]] {
    var records: [[String]] = []
    var record: [String] = []
    var field = ""
    var quoted = false
    var chars = Array(text)[...]
    while let c = chars.popFirst() {
        if quoted {
            if c == "\"" {
                if chars.first == "\"" { field.append("\""); chars.removeFirst() } else { quoted = false }
            } else {
                field.append(c)
            }
        } else if c == "\"" {
            quoted = true
        } else if c == "," {
            record.append(field); field = ""
        } else if c == "\r\n" || c == "\n" {
            record.append(field); field = ""
            records.append(record); record = []
        } else {
            field.append(c)
        }
    }
    if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
    return records
}

/// `sqlar_uncompress(data, size)` as the sqlite3 shell defines it (zlib's `uncompress`).
public let sqlarUncompress = DatabaseFunction("sqlar_uncompress", argumentCount: 2, pure: true) { values -> DatabaseValueConvertible? in
    let data: Data
    switch values[0].storage {
    case .null: return nil
    case let .blob(blob): data = blob
    case let .string(text): data = Data(text.utf8)
    default: return values[0]
    }
    let size = Int.fromDatabaseValue(values[1]) ?? 0
    if size <= 0 || size == data.count { return data }
    var out = [UInt8](repeating: 0, count: size)
    var length = uLongf(size)
    let code = data.withUnsafeBytes { input in
        out.withUnsafeMutableBufferPointer { uncompress($0.baseAddress, &length, input.bindMemory(to: Bytef.self).baseAddress, uLong(data.count)) }
    }
    guard code == Z_OK else { throw DatabaseError(message: "error in uncompress()") }
    return Data(out)
}
