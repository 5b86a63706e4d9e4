/// RFC 4180 CSV: comma-separated, CRLF line ends, fields quoted when they hold a comma, quote,
/// or line break. Spreadsheet-safe by default: a text cell that starts with `=`, `+`, `-`, `@`,
/// tab or carriage return gets a leading `'` (OWASP's CSV injection advice), except text that
/// is a plain number; numeric cells are never altered.
public final class CSVWriter: RowWriter {
    private let sink: TextSink
    private let spreadsheetSafe: Bool
    private let byteOrderMark: Bool

    public init(_ sink: TextSink, spreadsheetSafe: Bool = true, byteOrderMark: Bool = false) {
        self.sink = sink
        self.spreadsheetSafe = spreadsheetSafe
        self.byteOrderMark = byteOrderMark
    }

    public func begin(columns: [String]) throws {
        try sink.write((byteOrderMark ? "\u{FEFF}" : "") + columns.map { CSVWriter.quote($0) }.joined(separator: ",") + "\r\n")
    }

    public func write(row: [Cell]) throws {
        let fields = row.map { cell -> String in
            guard case let .text(text) = cell else { return cell.plainText }
            return CSVWriter.quote(spreadsheetSafe ? CSVWriter.neutralize(text) : text)
        }
        try sink.write(fields.joined(separator: ",") + "\r\n")
    }

    public func finish() throws {}

    static func quote(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func neutralize(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return text }
        if Double(text) != nil, text.allSatisfy({ "0123456789.-+eE".contains($0) }) { return text }
        return "'" + text
    }
}
