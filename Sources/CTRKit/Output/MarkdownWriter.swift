/// A GitHub-flavoured Markdown table; numeric columns are right-aligned; `|` is escaped.
public final class MarkdownWriter: RowWriter {
    private let sink: TextSink
    private var columns: [String] = []
    private var pendingFirstRow = true

    public init(_ sink: TextSink) { self.sink = sink }

    public func begin(columns: [String]) throws {
        self.columns = columns
        try sink.write("| " + columns.map(MarkdownWriter.escape).joined(separator: " | ") + " |\n")
    }

    public func write(row: [Cell]) throws {
        if pendingFirstRow {
            try writeRule(numeric: row.map(\.isNumber))
        }
        try sink.write("| " + row.map { MarkdownWriter.escape($0.plainText) }.joined(separator: " | ") + " |\n")
    }

    public func finish() throws {
        if pendingFirstRow { try writeRule(numeric: columns.map { _ in false }) }
    }

    private func writeRule(numeric: [Bool]) throws {
        pendingFirstRow = false
        try sink.write("|" + numeric.map { $0 ? " ---: |" : " --- |" }.joined() + "\n")
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "|", with: "\\|")
            .replacingOccurrences(of: "\r\n", with: "<br>").replacingOccurrences(of: "\n", with: "<br>")
    }
}
