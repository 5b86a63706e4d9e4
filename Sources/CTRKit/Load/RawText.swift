import CDeflate
import CZlib
import Foundation
import GRDB

/// How raw JSON is stored: the way SQLite's archive format (`sqlar`) stores a file, so that
/// the `sqlite3` shell's built-in `sqlar_uncompress(raw, raw_size)` reads it back. `raw` is a
/// zlib stream of the text, or the text's bytes themselves when compressing would not make
/// them smaller (then `length(raw) = raw_size`).
///
/// Since schema version 6 the unit is a block of about 32 KB of consecutive versions' texts
/// (`RawBlockPacker`), not one version: CTR JSON repeats its keys, ARNs and queue names from
/// record to record, and a block shrinks to about 13 % where one record alone shrinks to 41 %.
/// libdeflate at its fastest level compresses a block at about 210 MB/s on this project's
/// machine, a record alone at about 95 (the cost of each call is mostly fixed).
/// Any zlib reader inflates it (`uncompress`, Python's `zlib.decompress`).
final class RawTextCompressor {
    private let compressor: OpaquePointer
    private var output: [UInt8] = []

    init() {
        compressor = libdeflate_alloc_compressor(1)
    }

    deinit { libdeflate_free_compressor(compressor) }

    /// The bytes to store for `input`: its zlib stream, or `input` itself when that is not smaller.
    func storedBytes(of input: UnsafeRawBufferPointer) -> [UInt8] {
        let bound = libdeflate_zlib_compress_bound(compressor, input.count)
        if output.count < bound { output = [UInt8](repeating: 0, count: bound) }
        let produced = output.withUnsafeMutableBytes { out in
            libdeflate_zlib_compress(compressor, input.baseAddress, input.count, out.baseAddress, out.count)
        }
        return produced > 0 && produced < input.count ? Array(output[..<produced]) : Array(input)
    }

    func storedBytes(of text: String) -> [UInt8] {
        var text = text
        return text.withUTF8 { storedBytes(of: UnsafeRawBufferPointer($0)) }
    }
}

enum RawText {
    /// `sqlar_uncompress(data, size)`, as the `sqlite3` shell defines it: `data` itself when
    /// `size` is not positive or is its length, else `data` inflated to `size` bytes (a blob).
    /// The `contact_versions` view calls it, so ctrdb's connections register it, one function
    /// per connection: it keeps the block it inflated last, because the view asks for the same
    /// block once for each of the versions in it, in a row when they are read in order.
    static func uncompressFunction() -> DatabaseFunction {
        let last = LastInflated()
        return DatabaseFunction("sqlar_uncompress", argumentCount: 2, pure: true) { values -> DatabaseValueConvertible? in
            let size = Int.fromDatabaseValue(values[1]) ?? 0
            switch values[0].storage {
            case .null:
                return nil
            case let .blob(data):
                guard size > 0, size != data.count else { return data }
                return try last.inflated(data, size: size)
            case let .string(text):
                return text
            case let .int64(value):
                return value
            case let .double(value):
                return value
            }
        }
    }

    /// The last stream inflated and its text (a connection runs one statement step at a time,
    /// but GRDB asks functions to be `Sendable`, hence the lock).
    private final class LastInflated: @unchecked Sendable {
        private let lock = NSLock()
        private var input = Data()
        private var output = Data()

        func inflated(_ data: Data, size: Int) throws -> Data {
            lock.lock()
            defer { lock.unlock() }
            if data == input, output.count == size { return output }
            let text = try RawText.inflate(data, size: size)
            input = data
            output = text
            return output
        }
    }

    /// `data` inflated: a zlib stream of `size` bytes.
    static func inflate(_ data: Data, size: Int) throws -> Data {
        var out = [UInt8](repeating: 0, count: size)
        var length = uLongf(size)
        let code = data.withUnsafeBytes { input in
            out.withUnsafeMutableBufferPointer { output in
                CZlib.uncompress(output.baseAddress, &length, input.bindMemory(to: Bytef.self).baseAddress, uLong(data.count))
            }
        }
        guard code == Z_OK else { throw DatabaseError(message: "error in uncompress()") }
        return Data(out[..<Int(length)])
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
