@testable import CTRKit

/// Collects what a writer prints.
final class StringSink: TextSink {
    var text = ""
    func write(_ text: String) throws { self.text += text }
}

func render(_ writer: (TextSink) -> RowWriter, columns: [String], rows: [[Cell]]) throws -> String {
    let sink = StringSink()
    let w = writer(sink)
    try w.begin(columns: columns)
    for row in rows { try w.write(row: row) }
    try w.finish()
    return sink.text
}
