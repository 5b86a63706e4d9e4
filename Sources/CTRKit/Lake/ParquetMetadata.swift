/// The parts of Parquet's Thrift metadata (apache/parquet-format, parquet.thrift) this writer
/// fills in, with the field ids of that file. Only what a reader needs for flat columns of
/// strings, 64-bit integers and timestamps is here.
enum ParquetMetadata {
    /// `Type`: the physical type of a column.
    enum PhysicalType: Int32 {
        case int64 = 2
        case byteArray = 6
    }

    /// `ConvertedType`, the older annotation some readers still look at beside `LogicalType`.
    enum ConvertedType: Int32 {
        case utf8 = 0
        case timestampMicros = 10
    }

    /// `FieldRepetitionType`.
    enum Repetition: Int32 {
        case required = 0
        case optional = 1
    }

    /// `Encoding`.
    enum Encoding: Int32 {
        case plain = 0
        case rle = 3
    }

    /// `PageType`.
    enum PageType: Int32 {
        case dataPage = 0
    }

    /// `LogicalType`, a union: the field set is the annotation.
    enum LogicalType {
        case string
        case timestampMicrosUTC

        func encode(_ w: inout ThriftCompactWriter) {
            switch self {
            case .string:
                w.field(1, struct: { _ in })  // StringType, an empty struct
            case .timestampMicrosUTC:
                w.field(8, struct: { timestamp in  // TimestampType
                    timestamp.field(1, bool: true)  // isAdjustedToUTC
                    timestamp.field(2, struct: { unit in unit.field(2, struct: { _ in }) })  // TimeUnit.MICROS
                })
            }
        }
    }

    struct SchemaElement {
        var type: PhysicalType?
        var repetition: Repetition?
        var name: String
        var childCount: Int32?
        var convertedType: ConvertedType?
        var logicalType: LogicalType?

        func encode(_ w: inout ThriftCompactWriter) {
            if let type { w.field(1, i32: type.rawValue) }
            if let repetition { w.field(3, i32: repetition.rawValue) }
            w.field(4, string: name)
            if let childCount { w.field(5, i32: childCount) }
            if let convertedType { w.field(6, i32: convertedType.rawValue) }
            if let logicalType { w.field(10, struct: { logicalType.encode(&$0) }) }
        }
    }

    struct Statistics: Equatable {
        var nullCount: Int64
        /// PLAIN-encoded values without a length prefix; nil when the chunk holds only nulls.
        var minValue: [UInt8]?
        var maxValue: [UInt8]?

        func encode(_ w: inout ThriftCompactWriter) {
            w.field(3, i64: nullCount)
            if let maxValue { w.field(5, binary: maxValue) }
            if let minValue { w.field(6, binary: minValue) }
        }
    }

    struct DataPageHeader {
        var valueCount: Int32
        var statistics: Statistics?
    }

    struct PageHeader {
        var uncompressedSize: Int32
        var compressedSize: Int32
        var dataPage: DataPageHeader

        func encoded() -> [UInt8] {
            ThriftCompactWriter.encode { w in
                w.field(1, i32: PageType.dataPage.rawValue)
                w.field(2, i32: uncompressedSize)
                w.field(3, i32: compressedSize)
                w.field(5, struct: { page in
                    page.field(1, i32: dataPage.valueCount)
                    page.field(2, i32: Encoding.plain.rawValue)
                    page.field(3, i32: Encoding.rle.rawValue)  // definition levels
                    page.field(4, i32: Encoding.rle.rawValue)  // repetition levels (none: flat columns)
                    if let statistics = dataPage.statistics { page.field(5, struct: { statistics.encode(&$0) }) }
                })
            }
        }
    }

    struct ColumnMetaData {
        var type: PhysicalType
        var encodings: [Encoding]
        var path: [String]
        var codec: Int32
        var valueCount: Int64
        var totalUncompressedSize: Int64
        var totalCompressedSize: Int64
        var dataPageOffset: Int64
        var statistics: Statistics

        func encode(_ w: inout ThriftCompactWriter) {
            w.field(1, i32: type.rawValue)
            w.field(2, i32List: encodings.map(\.rawValue))
            w.field(3, stringList: path)
            w.field(4, i32: codec)
            w.field(5, i64: valueCount)
            w.field(6, i64: totalUncompressedSize)
            w.field(7, i64: totalCompressedSize)
            w.field(9, i64: dataPageOffset)
            w.field(12, struct: { statistics.encode(&$0) })
        }
    }

    struct RowGroup {
        var columns: [ColumnMetaData]
        var rowCount: Int64
        var ordinal: Int16

        func encode(_ w: inout ThriftCompactWriter) {
            w.field(1, structList: columns) { chunk, column in  // ColumnChunk
                chunk.field(2, i64: column.dataPageOffset)  // file_offset (deprecated, required)
                chunk.field(3, struct: { column.encode(&$0) })
            }
            w.field(2, i64: columns.reduce(0) { $0 + $1.totalUncompressedSize })
            w.field(3, i64: rowCount)
            w.field(5, i64: columns.first?.dataPageOffset ?? 0)
            w.field(6, i64: columns.reduce(0) { $0 + $1.totalCompressedSize })
            w.field(7, i16: ordinal)
        }
    }

    struct FileMetaData {
        var schema: [SchemaElement]
        var rowCount: Int64
        var rowGroups: [RowGroup]
        var createdBy: String

        func encoded() -> [UInt8] {
            let leafCount = schema.count - 1
            return ThriftCompactWriter.encode { w in
                w.field(1, i32: 1)  // version
                w.field(2, structList: schema) { $1.encode(&$0) }
                w.field(3, i64: rowCount)
                w.field(4, structList: rowGroups) { $1.encode(&$0) }
                w.field(6, string: createdBy)
                // TYPE_ORDER for every leaf: min_value/max_value follow the type's order
                // (unsigned bytes for strings, signed for INT64), so readers trust them.
                w.field(7, structList: Array(repeating: (), count: leafCount)) { order, _ in
                    order.field(1, struct: { _ in })
                }
            }
        }
    }
}
