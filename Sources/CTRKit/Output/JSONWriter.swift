import Foundation

/// JSON: an array of objects (`[]` when empty), or one object per line (NDJSON). Numbers are
/// numbers and null is null; keys keep the column order.
public final class JSONWriter: RowWriter {
    private let sink: TextSink
    private let lines: Bool
    private var columns: [String] = []
    private var rows = 0

    public init(_ sink: TextSink, lines: Bool) {
        self.sink = sink
        self.lines = lines
    }

    public func begin(columns: [String]) throws {
        self.columns = columns.map(JSONText.quoted)
    }

    public func write(row: [Cell]) throws {
        var object = "{"
        for (index, cell) in row.enumerated() {
            if index > 0 { object += "," }
            object += columns[index] + ":" + JSONWriter.value(cell)
        }
        object += "}"
        if lines {
            try sink.write(object + "\n")
        } else {
            try sink.write((rows == 0 ? "[\n" : ",\n") + object)
        }
        rows += 1
    }

    public func finish() throws {
        guard !lines else { return }
        try sink.write(rows == 0 ? "[]\n" : "\n]\n")
    }

    static func value(_ cell: Cell) -> String {
        switch cell {
        case .null: return "null"
        case let .integer(v): return String(v)
        case let .real(v): return v.isFinite ? v.description : "null"
        case let .text(s): return JSONText.quoted(s)
        case .blob: return JSONText.quoted(cell.plainText)
        }
    }

}
