import Crypto
import Foundation

/// What a finished Parquet file holds, as `ctrdb lake`'s manifest records it.
public struct ParquetFileSummary: Equatable, Sendable {
    public var rows: Int
    public var bytes: Int
    /// SHA-256 of the file's bytes, in hex.
    public var sha256: String
}

/// Writes one Parquet file: "PAR1", then each row group's column chunks (data pages v1, PLAIN
/// values, RLE definition levels, one codec for every page), then the Thrift compact footer,
/// its 4-byte little-endian length and "PAR1" again.
///
/// `write(_:)` takes one row group at a time; `finish()` writes the footer. A file that is
/// never finished has no footer, and no reader accepts it: callers write under a temporary
/// name and rename after `finish()`.
public final class ParquetFileWriter {
    public let schema: ParquetSchema
    public let compression: ParquetCompression
    private let path: String
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private let createdBy: String
    private var pending: [UInt8] = []
    private var offset: Int64 = 0
    private var hasher = SHA256()
    private var rowGroups: [ParquetMetadata.RowGroup] = []
    private var finished = false

    static let magic: [UInt8] = Array("PAR1".utf8)

    /// Creates (or truncates) the file at `path`.
    public convenience init(path: String, schema: ParquetSchema, compression: ParquetCompression) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw ParquetError.cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        try self.init(descriptor: descriptor, name: path, schema: schema, compression: compression, ownsDescriptor: true)
    }

    /// Writes to an open descriptor, which stays open (`name` is for messages).
    public convenience init(descriptor: Int32, name: String, schema: ParquetSchema, compression: ParquetCompression) throws {
        try self.init(descriptor: descriptor, name: name, schema: schema, compression: compression, ownsDescriptor: false)
    }

    private init(descriptor: Int32, name: String, schema: ParquetSchema, compression: ParquetCompression, ownsDescriptor: Bool) throws {
        self.descriptor = descriptor
        self.path = name
        self.schema = schema
        self.compression = compression
        self.ownsDescriptor = ownsDescriptor
        createdBy = "ctrdb version \(CTRKitVersion.string)"
        try emit(ParquetFileWriter.magic)
    }

    deinit {
        if ownsDescriptor && !finished { close(descriptor) }
    }

    /// Appends one row group (an empty one is skipped: it would hold no pages).
    public func write(_ group: ParquetRowGroup) throws {
        precondition(!finished, "write after finish")
        precondition(group.schema == schema, "a row group of another schema")
        guard group.rowCount > 0 else { return }
        var chunks: [ParquetMetadata.ColumnMetaData] = []
        for column in group.columns {
            chunks.append(try writeChunk(column))
        }
        rowGroups.append(ParquetMetadata.RowGroup(columns: chunks, rowCount: Int64(group.rowCount), ordinal: Int16(truncatingIfNeeded: rowGroups.count)))
    }

    /// Writes the footer, flushes the file to disk (and closes it when this writer opened it).
    @discardableResult
    public func finish() throws -> ParquetFileSummary {
        precondition(!finished, "finish called twice")
        let footer = ParquetMetadata.FileMetaData(
            schema: schema.elements,
            rowCount: rowGroups.reduce(0) { $0 + $1.rowCount },
            rowGroups: rowGroups,
            createdBy: createdBy
        ).encoded()
        try emit(footer)
        try emit(withUnsafeBytes(of: UInt32(footer.count).littleEndian, Array.init))
        try emit(ParquetFileWriter.magic)
        try flush()
        finished = true
        if fsync(descriptor) != 0 { throw failure() }
        if ownsDescriptor && close(descriptor) != 0 { throw failure() }
        let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        return ParquetFileSummary(rows: Int(rowGroups.reduce(0) { $0 + $1.rowCount }), bytes: Int(offset), sha256: digest)
    }

    private func writeChunk(_ column: ColumnBuffer) throws -> ParquetMetadata.ColumnMetaData {
        let start = offset
        var uncompressed: Int64 = 0
        var compressed: Int64 = 0
        for page in column.pages {
            let body = column.pageBody(rows: page.rows, bytes: page.bytes)
            let packed = try compression.compress(body)
            let header = ParquetMetadata.PageHeader(
                uncompressedSize: Int32(body.count),
                compressedSize: Int32(packed.count),
                dataPage: ParquetMetadata.DataPageHeader(valueCount: Int32(page.rows.count))
            ).encoded()
            try emit(header)
            try emit(packed)
            uncompressed += Int64(header.count + body.count)
            compressed += Int64(header.count + packed.count)
        }
        return ParquetMetadata.ColumnMetaData(
            type: column.column.physicalType,
            encodings: column.column.optional ? [.plain, .rle] : [.plain],
            path: [column.column.name],
            codec: compression.codec,
            valueCount: Int64(column.rowCount),
            totalUncompressedSize: uncompressed,
            totalCompressedSize: compressed,
            dataPageOffset: start,
            statistics: column.statistics
        )
    }

    private func emit(_ bytes: [UInt8]) throws {
        hasher.update(data: bytes)
        pending.append(contentsOf: bytes)
        offset += Int64(bytes.count)
        if pending.count >= 1 << 20 { try flush() }
    }

    private func flush() throws {
        if let reason = pending.withUnsafeBytes({ writeFully(descriptor, $0) }) {
            throw ParquetError.cannotWrite(path: path, reason: reason)
        }
        pending.removeAll(keepingCapacity: true)
    }

    private func failure() -> ParquetError {
        .cannotWrite(path: path, reason: String(cString: strerror(errno)))
    }
}
