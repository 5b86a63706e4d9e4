/// The columns of a Parquet file: flat, each a string, a 64-bit integer or a UTC timestamp.
public struct ParquetSchema: Sendable, Equatable {
    public let columns: [ParquetColumn]

    public init(_ columns: [ParquetColumn]) {
        self.columns = columns
    }

    /// The footer's schema: a root group named `schema`, then one leaf per column.
    var elements: [ParquetMetadata.SchemaElement] {
        [ParquetMetadata.SchemaElement(name: "schema", childCount: Int32(columns.count))] + columns.map(\.element)
    }
}

public struct ParquetColumn: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// BYTE_ARRAY annotated STRING (and UTF8): UTF-8 text.
        case string
        /// INT64, unannotated.
        case int64
        /// INT64 annotated TIMESTAMP(MICROS, isAdjustedToUTC = true) (and TIMESTAMP_MICROS):
        /// microseconds since 1970-01-01T00:00:00Z.
        case timestamp
    }

    public var name: String
    public var kind: Kind
    /// Whether the column may hold nulls (definition levels are written only for these).
    public var optional: Bool

    public init(name: String, kind: Kind, optional: Bool) {
        self.name = name
        self.kind = kind
        self.optional = optional
    }

    public static func string(_ name: String, optional: Bool = true) -> ParquetColumn {
        ParquetColumn(name: name, kind: .string, optional: optional)
    }

    public static func int64(_ name: String, optional: Bool = true) -> ParquetColumn {
        ParquetColumn(name: name, kind: .int64, optional: optional)
    }

    public static func timestamp(_ name: String, optional: Bool = true) -> ParquetColumn {
        ParquetColumn(name: name, kind: .timestamp, optional: optional)
    }

    var physicalType: ParquetMetadata.PhysicalType {
        kind == .string ? .byteArray : .int64
    }

    var element: ParquetMetadata.SchemaElement {
        var element = ParquetMetadata.SchemaElement(type: physicalType, repetition: optional ? .optional : .required, name: name)
        switch kind {
        case .string:
            element.convertedType = .utf8
            element.logicalType = .string
        case .timestamp:
            element.convertedType = .timestampMicros
            element.logicalType = .timestampMicrosUTC
        case .int64:
            break
        }
        return element
    }
}
