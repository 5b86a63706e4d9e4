/// In-memory output: a pack's CSV files, and report rows read back in Swift (the nightly
/// figures, query plans).

/// A sink that keeps what is written, for files built in memory.
public final class MemorySink: TextSink {
    public private(set) var bytes: [UInt8] = []
    public init() {}
    public func write(_ text: String) throws { bytes.append(contentsOf: text.utf8) }
}

/// A row writer that keeps the rows, for figures read back in Swift.
final class CollectingRows: RowWriter {
    private(set) var columns: [String] = []
    private(set) var rows: [[Cell]] = []
    func begin(columns: [String]) throws { self.columns = columns }
    func write(row: [Cell]) throws { rows.append(row) }
    func finish() throws {}
    func index(_ name: String) -> Int { columns.firstIndex(of: name)! }
}

extension Cell {
    var integer: Int64? {
        if case let .integer(v) = self { return v }
        return nil
    }

    var number: Double? {
        switch self {
        case let .integer(v): return Double(v)
        case let .real(v): return v
        default: return nil
        }
    }
}
