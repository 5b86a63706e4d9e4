import Foundation

/// One value of a result row, independent of SQLite.
public enum Cell: Equatable, Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    public var isNumber: Bool {
        switch self {
        case .integer, .real: return true
        default: return false
        }
    }

    /// The value as plain text (null as empty), the way CSV and tables show it.
    public var plainText: String {
        switch self {
        case .null: return ""
        case let .integer(v): return String(v)
        case let .real(v): return Cell.format(v)
        case let .text(s): return s
        case let .blob(b): return b.map { String(format: "%02x", $0) }.joined()
        }
    }

    /// Shortest text that reads back as the same number; integral values keep no fraction digits
    /// beyond `.0` so that `120.0` stays visibly a measured average.
    static func format(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "" : (value > 0 ? "inf" : "-inf") }
        return value.description
    }
}

/// Where rows go: an output format over an injected text stream (GRDB's `DumpFormat`).
public protocol RowWriter: AnyObject {
    func begin(columns: [String]) throws
    func write(row: [Cell]) throws
    /// Ends the output; a JSON array with no rows is `[]`.
    func finish() throws
}

/// A text sink: standard output, or a file written atomically.
public protocol TextSink: AnyObject {
    func write(_ text: String) throws
}

public enum OutputFormat: String, CaseIterable, Sendable {
    case table, csv, json, ndjson, markdown
}

public struct OutputOptions: Sendable {
    public var format: OutputFormat
    /// CSV: neutralise text that a spreadsheet would run as a formula (OWASP).
    public var spreadsheetSafe = true
    /// CSV: start with a UTF-8 byte order mark, so Excel reads UTF-8.
    public var byteOrderMark = false
    /// Table: the width to fit, when known.
    public var width: Int?

    public init(format: OutputFormat) { self.format = format }

    public func makeWriter(_ sink: TextSink) -> RowWriter {
        switch format {
        case .csv: return CSVWriter(sink, spreadsheetSafe: spreadsheetSafe, byteOrderMark: byteOrderMark)
        case .json: return JSONWriter(sink, lines: false)
        case .ndjson: return JSONWriter(sink, lines: true)
        case .markdown: return MarkdownWriter(sink)
        case .table: return TableWriter(sink, width: width)
        }
    }
}
