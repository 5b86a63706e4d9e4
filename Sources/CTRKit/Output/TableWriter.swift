/// Aligned columns for a terminal: numbers right-aligned, text left-aligned, null blank.
/// It must see every row before printing the first, so it holds them in memory: use it for
/// reports, and CSV or NDJSON for large dumps (the default when stdout is not a terminal).
public final class TableWriter: RowWriter {
    private let sink: TextSink
    private let width: Int?
    private var columns: [String] = []
    private var rows: [[Cell]] = []
    /// Longer cells are cut with an ellipsis so that a table stays readable.
    static let maxCellWidth = 40

    public init(_ sink: TextSink, width: Int?) {
        self.sink = sink
        self.width = width
    }

    public func begin(columns: [String]) throws { self.columns = columns }

    public func write(row: [Cell]) throws { rows.append(row) }

    public func finish() throws {
        let texts = rows.map { $0.map { TableWriter.clip(TableWriter.singleLine($0.plainText)) } }
        var widths = columns.map(\.count)
        for row in texts {
            for (index, text) in row.enumerated() { widths[index] = max(widths[index], text.count) }
        }
        let numeric = columns.indices.map { index in
            !rows.isEmpty && rows.allSatisfy { $0[index].isNumber || $0[index] == .null } && rows.contains { $0[index].isNumber }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, text in
                let pad = String(repeating: " ", count: widths[index] - text.count)
                return numeric[index] ? pad + text : text + pad
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        let total = widths.reduce(0, +) + 2 * max(0, widths.count - 1)
        if let width, total > width, !rows.isEmpty {
            try sink.write(vertical(texts, width: width))
            return
        }
        var out = line(columns) + "\n"
        out += line(widths.map { String(repeating: "-", count: $0) }) + "\n"
        for row in texts { out += line(row) + "\n" }
        if rows.isEmpty { out += "(no rows)\n" }
        try sink.write(out)
    }

    /// Too wide for the terminal: one block per row, a column per line (like psql's `\x`).
    private func vertical(_ texts: [[String]], width: Int) -> String {
        let nameWidth = columns.map(\.count).max() ?? 0
        var out = ""
        for (index, row) in texts.enumerated() {
            let title = "-[ row \(index + 1) ]"
            out += title + String(repeating: "-", count: max(0, min(width, nameWidth + 2 + TableWriter.maxCellWidth) - title.count)) + "\n"
            for (column, text) in zip(columns, row) {
                out += text.isEmpty ? column + "\n" : column.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  " + text + "\n"
            }
        }
        return out
    }

    static func singleLine(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\t", with: " ")
    }

    static func clip(_ text: String) -> String {
        text.count > maxCellWidth ? String(text.prefix(maxCellWidth - 1)) + "…" : text
    }
}
