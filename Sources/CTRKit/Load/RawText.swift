import CDeflate
import CZlib
import Foundation
import GRDB

/// How a version's raw JSON is stored: the way SQLite's archive format (`sqlar`) stores a
/// file, so that the `sqlite3` shell's built-in `sqlar_uncompress(raw, raw_size)` reads it
/// back. `raw` is a zlib stream of the text, or the text's bytes themselves when
/// compressing would not make them smaller (then `length(raw) = raw_size`).
///
/// Each record is compressed on its own (no shared dictionary: the shell could not read
/// it), by libdeflate at its fastest level: CTR JSON shrinks to about 40 %, at about
/// 130 MB/s on this project's machine (zlib's own deflate, reset per record, managed 54).
/// Any zlib reader inflates it (`uncompress`, Python's `zlib.decompress`).
final class RawTextCompressor {
    private let compressor: OpaquePointer
    private var output: [UInt8] = []

    init() {
        compressor = libdeflate_alloc_compressor(1)
    }

    deinit { libdeflate_free_compressor(compressor) }

    /// Calls `body` with the bytes to store for `text` (valid while `body` runs).
    func withStoredBytes<T>(of text: String, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        var text = text
        return try text.withUTF8 { input in
            let bound = libdeflate_zlib_compress_bound(compressor, input.count)
            if output.count < bound { output = [UInt8](repeating: 0, count: bound) }
            let produced = output.withUnsafeMutableBytes { out in
                libdeflate_zlib_compress(compressor, input.baseAddress, input.count, out.baseAddress, out.count)
            }
            if produced > 0, produced < input.count {
                return try output.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[..<produced])) }
            }
            return try body(UnsafeRawBufferPointer(input))
        }
    }

    /// The stored bytes as an array (the decoding threads, and the migration's SQL function).
    func storedBytes(of text: String) -> [UInt8] {
        withStoredBytes(of: text) { Array($0) }
    }
}

enum RawText {
    /// `sqlar_uncompress(data, size)`, as the `sqlite3` shell defines it: `data` itself when
    /// `size` is not positive or is its length, else `data` inflated to `size` bytes (a blob).
    /// The `contact_versions` view calls it, so ctrdb's connections register it.
    static let uncompress = DatabaseFunction("sqlar_uncompress", argumentCount: 2, pure: true) { values -> DatabaseValueConvertible? in
        let size = Int.fromDatabaseValue(values[1]) ?? 0
        switch values[0].storage {
        case .null:
            return nil
        case let .blob(data):
            guard size > 0, size != data.count else { return data }
            var out = [UInt8](repeating: 0, count: size)
            var length = uLongf(size)
            let code = data.withUnsafeBytes { input in
                out.withUnsafeMutableBufferPointer { output in
                    CZlib.uncompress(output.baseAddress, &length, input.bindMemory(to: Bytef.self).baseAddress, uLong(data.count))
                }
            }
            guard code == Z_OK else { throw DatabaseError(message: "error in uncompress()") }
            return Data(out[..<Int(length)])
        case let .string(text):
            return text
        case let .int64(value):
            return value
        case let .double(value):
            return value
        }
    }

    /// `ctrdb_compress(text)`: the bytes `RawTextCompressor` stores for a text (the migration
    /// uses it to convert raw text already in the database).
    static func compressFunction() -> DatabaseFunction {
        let compressor = RawTextCompressor()
        return DatabaseFunction("ctrdb_compress", argumentCount: 1, pure: true) { values -> DatabaseValueConvertible? in
            guard let text = String.fromDatabaseValue(values[0]) else { return nil }
            return Data(compressor.storedBytes(of: text))
        }
    }
}
