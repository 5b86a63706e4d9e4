import Foundation
import Testing
@testable import CTRKit

@Suite struct JSONWriterTests {
    private func json(_ columns: [String], _ rows: [[Cell]], lines: Bool = false) throws -> String {
        try render({ JSONWriter($0, lines: lines) }, columns: columns, rows: rows)
    }

    @Test func emptyIsAnEmptyArray() throws {
        #expect(try json(["a"], []) == "[]\n")
        #expect(try json(["a"], [], lines: true) == "")
    }

    @Test func typesAndColumnOrderAreKept() throws {
        let out = try json(["z", "a", "n", "r", "t"], [[.integer(1), .null, .real(2.5), .real(.nan), .text("x")]])
        #expect(out == "[\n{\"z\":1,\"a\":null,\"n\":2.5,\"r\":null,\"t\":\"x\"}\n]\n")
    }

    @Test func ndjsonIsOneObjectPerLine() throws {
        let out = try json(["k"], [[.integer(1)], [.integer(2)]], lines: true)
        #expect(out == "{\"k\":1}\n{\"k\":2}\n")
    }

    @Test func stringsAreEscapedAndParseBack() throws {
        let nasty = "quote \" backslash \\ newline \n tab \t bell \u{07} caf\u{e9} \u{1F600}"
        let out = try json(["s\"k"], [[.text(nasty)], [.blob([1, 2])]])
        let parsed = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: String]]
        #expect(parsed == [["s\"k": nasty], ["s\"k": "0102"]])
        #expect(out.contains("\\u0007"))
    }
}
