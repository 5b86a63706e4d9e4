import Foundation

/// One value of a row, as `ParquetRowGroup.append(row:)` takes it.
public enum ParquetValue: Equatable, Sendable {
    case null
    /// An `int64` value, or microseconds since the epoch for a `timestamp` column.
    case int64(Int64)
    case string(String)
}

public enum ParquetError: Error, LocalizedError, Equatable {
    case wrongValue(column: String, expected: ParquetColumn.Kind, got: ParquetValue)
    case wrongRowWidth(expected: Int, got: Int)
    case nullInRequiredColumn(column: String)
    case compressionFailed(codec: String, reason: String)
    case cannotWrite(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case let .wrongValue(column, expected, got): return "parquet column \(column) holds \(expected) values, not \(got)"
        case let .wrongRowWidth(expected, got): return "a parquet row needs \(expected) values, not \(got)"
        case let .nullInRequiredColumn(column): return "parquet column \(column) is required: it cannot hold a null"
        case let .compressionFailed(codec, reason): return "\(codec) compression failed: \(reason)"
        case let .cannotWrite(path, reason): return "failed to write \(path): \(reason)"
        }
    }
}

/// The rows of one row group, held column by column as they will be written: each column's
/// values already PLAIN-encoded, its definition levels, and its min/max statistics.
///
/// Memory grows with the rows appended (about their PLAIN size plus a byte per row for each
/// optional column); the caller bounds it by starting a new group (`plainByteCount`).
public struct ParquetRowGroup {
    public let schema: ParquetSchema
    private(set) var columns: [ColumnBuffer]
    public private(set) var rowCount = 0

    public init(schema: ParquetSchema) {
        self.schema = schema
        columns = schema.columns.map(ColumnBuffer.init)
    }

    /// The PLAIN-encoded size of the values so far: the uncompressed size of the group's pages, near enough.
    public var plainByteCount: Int {
        columns.reduce(0) { $0 + $1.plain.count + $1.definitionLevels.count / 8 }
    }

    public mutating func append(row: [ParquetValue]) throws {
        guard row.count == columns.count else { throw ParquetError.wrongRowWidth(expected: columns.count, got: row.count) }
        // Checked whole before anything is appended, so that a bad row leaves the group as it was.
        for index in row.indices {
            let column = schema.columns[index]
            switch (column.kind, row[index]) {
            case (_, .null) where !column.optional: throw ParquetError.nullInRequiredColumn(column: column.name)
            case (_, .null), (.string, .string), (.int64, .int64), (.timestamp, .int64): continue
            default: throw ParquetError.wrongValue(column: column.name, expected: column.kind, got: row[index])
            }
        }
        for index in row.indices {
            switch row[index] {
            case .null: columns[index].appendNull()
            case let .int64(value): columns[index].append(value)
            case let .string(text):
                var text = text
                text.withUTF8 { columns[index].append(bytes: UnsafeRawBufferPointer($0)) }
            }
        }
        rowCount += 1
    }
}

/// One column of a row group.
struct ColumnBuffer {
    /// A page is cut once its values reach this many PLAIN bytes (Parquet's usual 1 MiB).
    static let pageSize = 1 << 20

    let column: ParquetColumn
    /// The non-null values, PLAIN-encoded: 8 bytes little-endian for INT64; a 4-byte
    /// little-endian length and the bytes for BYTE_ARRAY.
    private(set) var plain: [UInt8] = []
    /// 1 for a value, 0 for a null; kept for optional columns only.
    private(set) var definitionLevels: [UInt8] = []
    private(set) var rowCount = 0
    private(set) var nullCount = 0
    /// Where each full page ends: rows and PLAIN bytes so far. The last page ends at the end.
    private(set) var pageEnds: [(rows: Int, bytes: Int)] = []
    private var minInteger: Int64?
    private var maxInteger: Int64?
    private var minBytes: [UInt8]?
    private var maxBytes: [UInt8]?

    init(column: ParquetColumn) {
        self.column = column
    }

    mutating func appendNull() {
        definitionLevels.append(0)
        nullCount += 1
        rowCount += 1
    }

    mutating func append(_ value: Int64) {
        withUnsafeBytes(of: value.littleEndian) { plain.append(contentsOf: $0) }
        if minInteger.map({ value < $0 }) ?? true { minInteger = value }
        if maxInteger.map({ value > $0 }) ?? true { maxInteger = value }
        appended()
    }

    mutating func append(bytes: UnsafeRawBufferPointer) {
        withUnsafeBytes(of: UInt32(bytes.count).littleEndian) { plain.append(contentsOf: $0) }
        plain.append(contentsOf: bytes)
        // Strings order as unsigned bytes (TYPE_ORDER for BYTE_ARRAY), as memcmp compares them.
        if minBytes.map({ ColumnBuffer.compare(bytes, $0) < 0 }) ?? true { minBytes = Array(bytes) }
        if maxBytes.map({ ColumnBuffer.compare(bytes, $0) > 0 }) ?? true { maxBytes = Array(bytes) }
        appended()
    }

    /// Unsigned byte-wise order, a prefix first; negative, zero or positive like memcmp.
    static func compare(_ a: UnsafeRawBufferPointer, _ b: [UInt8]) -> Int {
        b.withUnsafeBytes { b in
            let common = min(a.count, b.count)
            let order = common == 0 ? 0 : Int(memcmp(a.baseAddress!, b.baseAddress!, common))
            return order != 0 ? order : a.count - b.count
        }
    }

    private mutating func appended() {
        if column.optional { definitionLevels.append(1) }
        rowCount += 1
        if plain.count - (pageEnds.last?.bytes ?? 0) >= ColumnBuffer.pageSize {
            pageEnds.append((rowCount, plain.count))
        }
    }

    /// Every page: its rows and PLAIN bytes.
    var pages: [(rows: Range<Int>, bytes: Range<Int>)] {
        var ends = pageEnds
        if ends.last?.rows != rowCount { ends.append((rowCount, plain.count)) }
        var pages: [(rows: Range<Int>, bytes: Range<Int>)] = []
        var start = (rows: 0, bytes: 0)
        for end in ends {
            pages.append((start.rows..<end.rows, start.bytes..<end.bytes))
            start = end
        }
        return pages
    }

    /// The body of a data page v1 before compression: definition levels (optional columns), then values.
    func pageBody(rows: Range<Int>, bytes: Range<Int>) -> [UInt8] {
        var body: [UInt8] = []
        if column.optional {
            body = RLEHybridEncoder.lengthPrefixed(Array(definitionLevels[rows]), bitWidth: 1)
        }
        body.append(contentsOf: plain[bytes])
        return body
    }

    var statistics: ParquetMetadata.Statistics {
        var statistics = ParquetMetadata.Statistics(nullCount: Int64(nullCount))
        if let minInteger, let maxInteger {
            statistics.minValue = withUnsafeBytes(of: minInteger.littleEndian, Array.init)
            statistics.maxValue = withUnsafeBytes(of: maxInteger.littleEndian, Array.init)
        } else if let minBytes, let maxBytes {
            statistics.minValue = minBytes
            statistics.maxValue = maxBytes
        }
        return statistics
    }
}
