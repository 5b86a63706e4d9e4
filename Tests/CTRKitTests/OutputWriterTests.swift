@testable import CTRKit
import Foundation
import Testing
import TestSupport


@Suite("Output writers")
struct OutputWriterTests {
    static let awkward = "=Sales, \"EU\"\nline 2"

    static func render(_ format: OutputFormat, columns: [String], rows: [[Cell]], configure: (inout OutputOptions) -> Void = { _ in }) throws -> String {
        var options = OutputOptions(format: format)
        configure(&options)
        let sink = StringSink()
        let writer = options.makeWriter(sink)
        try writer.begin(columns: columns)
        for row in rows { try writer.write(row: row) }
        try writer.finish()
        return sink.text
    }

    @Test("CSV: RFC 4180 quoting and CRLF; the awkward name reads back with a leading ' by default")
    func csvQuoting() throws {
        let text = try Self.render(.csv, columns: ["queue", "n", "avg"], rows: [[.text(Self.awkward), .integer(-3), .real(-1.5)], [.text("plain"), .null, .real(120)]])
        #expect(text == "queue,n,avg\r\n\"'=Sales, \"\"EU\"\"\nline 2\",-3,-1.5\r\nplain,,120.0\r\n")
        #expect(parseCSV(text) == [["queue", "n", "avg"], ["'" + Self.awkward, "-3", "-1.5"], ["plain", "", "120.0"]])
        let raw = try Self.render(.csv, columns: ["queue"], rows: [[.text(Self.awkward)]]) { $0.spreadsheetSafe = false }
        #expect(parseCSV(raw) == [["queue"], [Self.awkward]])
    }

    @Test("CSV spreadsheet safety: text starting with = + - @ tab CR gets a leading '", arguments: ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://x\")"])
    func csvSafety(text: String) throws {
        let safe = try Self.render(.csv, columns: ["v"], rows: [[.text(text)]])
        #expect(parseCSV(safe)[1] == ["'" + text])
        let unsafe = try Self.render(.csv, columns: ["v"], rows: [[.text(text)]]) { $0.spreadsheetSafe = false }
        #expect(parseCSV(unsafe)[1] == [text])
    }

    @Test("CSV: numbers are never altered, nor text that is a plain number or starts elsewhere")
    func csvNumbers() throws {
        let text = try Self.render(.csv, columns: ["a", "b", "c", "d", "e", "f"],
                                   rows: [[.integer(-5), .real(-0.25), .text("-12.5"), .text("+7"), .text("a=b"), .text("'quoted")]])
        #expect(text == "a,b,c,d,e,f\r\n-5,-0.25,-12.5,+7,a=b,'quoted\r\n")
    }

    @Test("CSV: --bom starts the output with a UTF-8 byte order mark, only once")
    func csvBOM() throws {
        let text = try Self.render(.csv, columns: ["a"], rows: [[.text("é")], [.text("x")]]) { $0.byteOrderMark = true }
        #expect(Array(text.utf8.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(text.dropFirst() == "a\r\né\r\nx\r\n")
        let empty = try Self.render(.csv, columns: ["a"], rows: []) { $0.byteOrderMark = true }
        #expect(empty == "\u{FEFF}a\r\n")
        #expect(!(try Self.render(.csv, columns: ["a"], rows: [])).hasPrefix("\u{FEFF}"))
    }

    @Test("JSON: [] with no rows; numbers, null and escaped text; keys in column order")
    func json() throws {
        #expect(try Self.render(.json, columns: ["a", "b"], rows: []) == "[]\n")
        #expect(try Self.render(.ndjson, columns: ["a", "b"], rows: []) == "")
        let text = try Self.render(.json, columns: ["z", "a", "n"], rows: [[.text(Self.awkward + "\t\u{1}\\"), .real(10.13), .null], [.text("x"), .integer(3), .real(.nan)]])
        #expect(text == "[\n{\"z\":\"=Sales, \\\"EU\\\"\\nline 2\\t\\u0001\\\\\",\"a\":10.13,\"n\":null},\n{\"z\":\"x\",\"a\":3,\"n\":null}\n]\n")
        let parsed = try JSONSerialization.jsonObject(with: text.data(using: .utf8)!) as! [[String: Any]]
        #expect(parsed[0]["z"] as? String == Self.awkward + "\t\u{1}\\")
        #expect(parsed[0]["a"] as? Double == 10.13)
        #expect(parsed[0]["n"] is NSNull)
    }

    @Test("NDJSON: one object per line, the awkward name round-trips")
    func ndjson() throws {
        let text = try Self.render(.ndjson, columns: ["queue", "n"], rows: [[.text(Self.awkward), .integer(1)], [.text("b"), .null]])
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3 && lines[2].isEmpty)
        let first = try JSONSerialization.jsonObject(with: String(lines[0]).data(using: .utf8)!) as! [String: Any]
        #expect(first["queue"] as? String == Self.awkward)
        #expect(lines[1] == #"{"queue":"b","n":null}"#)
    }

    @Test("Markdown: pipes escaped, line breaks as <br>, numeric columns right-aligned; empty has header and rule")
    func markdown() throws {
        let text = try Self.render(.markdown, columns: ["queue", "n"], rows: [[.text("a|b\nc"), .integer(1)]])
        #expect(text == "| queue | n |\n| --- | ---: |\n| a\\|b<br>c | 1 |\n")
        #expect(try Self.render(.markdown, columns: ["a", "b"], rows: []) == "| a | b |\n| --- | --- |\n")
    }

    @Test("table: aligned columns, numbers right, null blank, (no rows) when empty, one line per row")
    func table() throws {
        let text = try Self.render(.table, columns: ["queue", "n"], rows: [[.text("a\nb"), .integer(5)], [.text("long name"), .null], [.text("c"), .integer(12)]])
        #expect(text == "queue       n\n---------  --\na b         5\nlong name\nc          12\n")
        #expect(try Self.render(.table, columns: ["a"], rows: []) == "a\n-\n(no rows)\n")
        let narrow = try Self.render(.table, columns: ["column_one", "column_two"], rows: [[.text("x"), .integer(1)]]) { $0.width = 10 }
        #expect(narrow.hasPrefix("-[ row 1 ]"))
        #expect(narrow.contains("column_one  x\n"))
    }

    @Test("AtomicFileSink: nothing at the path until commit, no temporary file left after")
    func atomicSink() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("out.csv")
        try "old".write(toFile: path, atomically: false, encoding: .utf8)
        let sink = try AtomicFileSink(path: path)
        try sink.write(String(repeating: "x", count: 100_000))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old")
        try sink.commit()
        #expect(try String(contentsOfFile: path, encoding: .utf8).count == 100_000)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["out.csv"])

        // abandoned without commit: the old file stays, the temporary file goes
        do {
            let failed = try AtomicFileSink(path: path)
            try failed.write("partial")
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8).count == 100_000)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["out.csv"])
        #expect(throws: OutputError.self) { try AtomicFileSink(path: folder.path + "/no/such/dir/out.csv") }
    }

    @Test("Cell text: integers plain, reals shortest, null empty")
    func cellText() {
        #expect(Cell.integer(-7).plainText == "-7")
        #expect(Cell.real(10.13).plainText == "10.13")
        #expect(Cell.real(120).plainText == "120.0")
        #expect(Cell.null.plainText == "")
        #expect(Cell.blob([0, 255]).plainText == "00ff")
    }
}
