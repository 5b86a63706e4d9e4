import CSnappy
import CZlib
import CZstd

/// The codec of every page of a file (Compression.md): each page body is compressed on its own.
public enum ParquetCompression: String, CaseIterable, Sendable {
    case zstd, snappy, gzip, none

    /// `CompressionCodec` in parquet.thrift.
    var codec: Int32 {
        switch self {
        case .none: return 0
        case .snappy: return 1
        case .gzip: return 2
        case .zstd: return 6
        }
    }

    func compress(_ input: [UInt8]) throws -> [UInt8] {
        switch self {
        case .none: return input
        case .zstd: return try ParquetCompression.zstd(input)
        case .snappy: return try ParquetCompression.snappy(input)
        case .gzip: return try ParquetCompression.gzip(input)
        }
    }

    /// zstd at level 3, its default: most of the ratio of higher levels at a fraction of their time.
    private static func zstd(_ input: [UInt8]) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: ZSTD_compressBound(input.count))
        let capacity = output.count
        let written = input.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { destination in
                ZSTD_compress(destination.baseAddress, capacity, source.baseAddress, source.count, 3)
            }
        }
        if ZSTD_isError(written) != 0 {
            throw ParquetError.compressionFailed(codec: "zstd", reason: String(cString: ZSTD_getErrorName(written)))
        }
        output.removeLast(capacity - written)
        return output
    }

    private static func snappy(_ input: [UInt8]) throws -> [UInt8] {
        var length = snappy_max_compressed_length(input.count)
        var output = [UInt8](repeating: 0, count: length)
        let status = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                source.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(source.count, 1)) { sourceChars in
                    destination.baseAddress!.withMemoryRebound(to: CChar.self, capacity: destination.count) { destinationChars in
                        snappy_compress(sourceChars, source.count, destinationChars, &length)
                    }
                }
            }
        }
        guard status == SNAPPY_OK else { throw ParquetError.compressionFailed(codec: "snappy", reason: "status \(status.rawValue)") }
        output.removeLast(output.count - length)
        return output
    }

    /// A gzip member (RFC 1952, as Compression.md requires, not a bare zlib stream): windowBits 15 + 16.
    private static func gzip(_ input: [UInt8]) throws -> [UInt8] {
        var stream = z_stream()
        guard czlib_deflateInit2(&stream, 6, 15 + 16) == Z_OK else {
            throw ParquetError.compressionFailed(codec: "gzip", reason: "deflateInit2 failed")
        }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(input.count))) + 32)
        let capacity = output.count
        let status: Int32 = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
                stream.avail_in = UInt32(source.count)
                stream.next_out = destination.baseAddress
                stream.avail_out = UInt32(destination.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else {
            throw ParquetError.compressionFailed(codec: "gzip", reason: "deflate returned \(status)")
        }
        output.removeLast(capacity - Int(stream.total_out))
        return output
    }
}
