import Testing
@testable import CTRKit

@Suite struct CSVWriterTests {
    private func csv(_ columns: [String], _ rows: [[Cell]], safe: Bool = true, bom: Bool = false) throws -> String {
        try render({ CSVWriter($0, spreadsheetSafe: safe, byteOrderMark: bom) }, columns: columns, rows: rows)
    }

    @Test func headerRowsAndCRLF() throws {
        let out = try csv(["id", "n", "x", "none"], [[.text("a"), .integer(5), .real(2.5), .null]])
        #expect(out == "id,n,x,none\r\na,5,2.5,\r\n")
    }

    @Test func quotingFollowsRFC4180() throws {
        let out = try csv(["a,b", "q"], [[.text("x,y"), .text("say \"hi\"")], [.text("line\nbreak"), .text("cr\rhere")]])
        #expect(out == "\"a,b\",q\r\n\"x,y\",\"say \"\"hi\"\"\"\r\n\"line\nbreak\",\"cr\rhere\"\r\n")
    }

    @Test func formulaTextIsNeutralisedButNumbersAreNot() throws {
        let out = try csv(["v"], [[.text("=SUM(A1)")], [.text("+1 555")], [.text("-12.5")], [.text("@x")], [.integer(-3)], [.text("plain")]])
        #expect(out == "v\r\n'=SUM(A1)\r\n'+1 555\r\n-12.5\r\n'@x\r\n-3\r\nplain\r\n")
        let unsafe = try csv(["v"], [[.text("=SUM(A1)")]], safe: false)
        #expect(unsafe == "v\r\n=SUM(A1)\r\n")
    }

    @Test func noRowsIsJustTheHeaderAndBOMIsOptional() throws {
        #expect(try csv(["a", "b"], []) == "a,b\r\n")
        #expect(try csv(["a"], [], bom: true) == "\u{FEFF}a\r\n")
    }

    @Test func blobsAreHex() throws {
        #expect(try csv(["b"], [[.blob([0x00, 0xff])]]) == "b\r\n00ff\r\n")
    }
}
