import Foundation
import Testing
@testable import CTRKit

@Suite struct RecordFramerTests {
    private func texts(_ chunks: [FramedChunk]) -> [String] {
        chunks.map { String(decoding: $0.bytes, as: UTF8.self) }
    }

    @Test func concatenatedObjectsWithoutDelimiter() throws {
        let chunks = try frameAll([UInt8](#"{"ContactId":"a"}{"ContactId":"b"}{"ContactId":"c"}"#))
        #expect(texts(chunks) == [#"{"ContactId":"a"}"#, #"{"ContactId":"b"}"#, #"{"ContactId":"c"}"#])
        #expect(chunks.map(\.offset) == [0, 17, 34])
        #expect(chunks.allSatisfy { $0.kind == .object })
    }

    @Test func newlineDelimited() throws {
        let input = "{\"a\":1}\n{\"b\":2}\r\n{\"c\":3}\n"
        let chunks = try frameAll([UInt8](input))
        #expect(texts(chunks) == ["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"])
        #expect(chunks.map(\.offset) == [0, 8, 17])
    }

    @Test func jsonArrays() throws {
        let input = #"[{"a":1},{"b":[1,{"x":2}]}] [ {"c":3} ]"#
        let chunks = try frameAll([UInt8](input))
        #expect(texts(chunks) == [#"{"a":1}"#, #"{"b":[1,{"x":2}]}"#, #"{"c":3}"#])
        #expect(chunks.map(\.offset) == [1, 9, 30])
        #expect(chunks.allSatisfy { $0.kind == .object })
    }

    @Test func prettyPrintedAndMixedWithWhitespaceAndCommas() throws {
        let pretty = "{\n  \"a\": {\n    \"b\": [1, 2]\n  }\n}"
        let input = " \t\n" + pretty + " , \n{\"c\":1}{\"d\":2}\n,[{\"e\":3}]\r\n"
        let chunks = try frameAll([UInt8](input))
        #expect(texts(chunks) == [pretty, "{\"c\":1}", "{\"d\":2}", "{\"e\":3}"])
        let expectedOffsets = [3, 3 + pretty.utf8.count + 4, 3 + pretty.utf8.count + 11, 3 + pretty.utf8.count + 21].map(Int64.init)
        #expect(chunks.map(\.offset) == expectedOffsets)
    }

    @Test func bracesAndEscapedQuotesInsideStrings() throws {
        let first = #"{"a":"}{ not a cut \" still } inside {","b":"\\"}"#
        let second = #"{"c":"]["}"#
        let chunks = try frameAll([UInt8](first + second))
        #expect(texts(chunks) == [first, second])
        #expect(chunks[1].offset == Int64(first.utf8.count))
    }

    @Test func byteOrderMarkAtTheStartIsSkipped() throws {
        let input: [UInt8] = [0xEF, 0xBB, 0xBF] + [UInt8](#"{"a":1}"#)
        for readSize in [1, 2, 3, 64] {
            let chunks = try frameAll(input, readSize: readSize)
            #expect(chunks.count == 1, "readSize \(readSize)")
            #expect(chunks.first?.kind == .object)
            #expect(chunks.first?.offset == 3)
            #expect(texts(chunks) == [#"{"a":1}"#])
        }
    }

    @Test func byteOrderMarkInTheMiddleIsGarbage() throws {
        let input = [UInt8](#"{"a":1}"#) + [0xEF, 0xBB, 0xBF] + [UInt8](#"{"b":1}"#)
        let chunks = try frameAll(input)
        #expect(chunks.map(\.kind) == [.object, .garbage(totalLength: 3), .object])
        #expect(chunks.map(\.offset) == [0, 7, 10])
    }

    /// The same stream cut into reads of any size frames identically (property over read sizes).
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 13, 64, 1000])
    func tinyReadSizesGiveIdenticalChunks(readSize: Int) throws {
        let pieces = [
            "\u{FEFF}",
            #"{"ContactId":"a","s":"}{\"x"}"#, "\n",
            "[", #"{"ContactId":"b","n":[1,2,{"k":"v"}]}"#, ",", #"{"ContactId":"c"}"#, "]",
            "garbage!", "{\n  \"ContactId\" : \"d\"\n}",
            "\u{0}", #"{"ContactId":"e"}"#,
            #"{"ContactId":"f","#,
        ]
        let input = [UInt8](pieces.joined())
        let reference = try frameAll(input)
        let chunks = try frameAll(input, readSize: readSize)
        #expect(chunks.map(\.kind) == reference.map(\.kind))
        #expect(chunks.map(\.offset) == reference.map(\.offset))
        #expect(chunks.map(\.bytes) == reference.map(\.bytes))
        #expect(chunks.map(\.contentHash) == reference.map(\.contentHash))
        // And the reference itself is what the input says.
        #expect(reference.map(\.kind) == [.object, .object, .object, .garbage(totalLength: 8), .object, .garbage(totalLength: 1), .object, .unterminated])
    }

    @Test(arguments: [1, 3, 7])
    func tinyReadsThroughATrickleSource(step: Int) throws {
        let input = [UInt8](#"{"a":1} {"b":{"c":"}"}} [{"d":2}]"#)
        let framer = RecordFramer(source: TrickleSource(input, step: step), readSize: 5)
        var chunks: [FramedChunk] = []
        while let chunk = try framer.next() { chunks.append(chunk) }
        #expect(texts(chunks) == [#"{"a":1}"#, #"{"b":{"c":"}"}}"#, #"{"d":2}"#])
        #expect(chunks.map(\.offset) == [0, 8, 25])
    }

    @Test func contentHashIgnoresWhitespaceBetweenTokens() throws {
        let compact = #"{"ContactId":"a","Queue":{"Name":"Q 1","Duration":5},"List":[1,2]}"#
        let pretty = "{\n  \"ContactId\": \"a\",\n  \"Queue\": {\n    \"Name\": \"Q 1\",\n    \"Duration\": 5\n  },\n  \"List\": [ 1, 2 ]\n}"
        let a = try frameAll([UInt8](compact))
        let b = try frameAll([UInt8](pretty))
        #expect(a.count == 1 && b.count == 1)
        #expect(a[0].contentHash == b[0].contentHash)
        #expect(RecordFramer.contentHash(of: [UInt8](compact)) == a[0].contentHash)
        // Whitespace inside a string is content.
        let other = try frameAll([UInt8](compact.replacingOccurrences(of: "Q 1", with: "Q  1")))
        #expect(other[0].contentHash != a[0].contentHash)
    }

    @Test func contentHashOfRealRecordCompactVersusPretty() throws {
        let record = try Fixture.realVersions()[0]
        let object = try JSONSerialization.jsonObject(with: Data(record))
        let pretty = [UInt8](try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]))
        let compact = [UInt8](try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
        #expect(RecordFramer.contentHash(of: pretty) == RecordFramer.contentHash(of: compact))
        #expect(pretty != compact)
    }

    @Test func unterminatedObjectAtTheEnd() throws {
        let chunks = try frameAll([UInt8](#"{"a":1}{"b":"#))
        #expect(chunks.map(\.kind) == [.object, .unterminated])
        #expect(chunks[1].offset == 7)
        #expect(texts(chunks)[1] == #"{"b":"#)
    }

    @Test func garbageBetweenRecordsIsOneChunkWithExactOffset() throws {
        let chunks = try frameAll([UInt8](#"{"a":1}hello world{"b":2}"#))
        #expect(chunks.map(\.kind) == [.object, .garbage(totalLength: 11), .object])
        #expect(chunks[1].offset == 7)
        #expect(texts(chunks)[1] == "hello world")
        #expect(chunks[2].offset == 18)
    }

    @Test func nulByteInsideAnObjectBreaksIt() throws {
        let input = [UInt8](#"{"a":"x"#) + [0] + [UInt8](#""}{"b":2}"#)
        let chunks = try frameAll(input)
        guard case .brokenObject = try #require(chunks.first).kind else {
            Issue.record("expected a broken object, got \(chunks.map(\.kind))")
            return
        }
        #expect(chunks[0].offset == 0)
        #expect(chunks[0].bytes == [UInt8](#"{"a":"x"#))
        #expect(chunks.last?.kind == .object)
        #expect(texts(chunks).last == #"{"b":2}"#)
    }

    @Test func oversizedObjectIsSkippedAndFollowingRecordsKept() throws {
        let big = "{\"ContactId\":\"big\",\"pad\":\"" + String(repeating: "x", count: 500) + "\",\"o\":{\"}\":\"{\"}}"
        let input = [UInt8](#"{"a":1}"# + big + #"{"b":2}"#)
        for readSize in [7, 64, 4096] {
            let chunks = try frameAll(input, readSize: readSize, maxRecordSize: 100)
            #expect(chunks.map(\.kind) == [.object, .oversized(totalLength: Int64(big.utf8.count)), .object], "readSize \(readSize)")
            #expect(chunks.map(\.offset) == [0, 7, Int64(7 + big.utf8.count)])
            #expect(chunks[1].bytes.count <= big.utf8.count)
            #expect(chunks[1].bytes == Array([UInt8](big).prefix(chunks[1].bytes.count)))
            #expect(texts(chunks).last == #"{"b":2}"#)
        }
    }

    @Test func emptyAndWhitespaceOnlyStreamsHaveNoChunks() throws {
        #expect(try frameAll([]).isEmpty)
        #expect(try frameAll([UInt8](" \n\t\r\n[],")).isEmpty)
    }

    @Test func positionCountsFramedBytes() throws {
        let input = [UInt8](#"{"a":1}  {"b":2}"#)
        let framer = RecordFramer(source: MemorySource(input))
        _ = try framer.next()
        #expect(framer.position == 7)
        _ = try framer.next()
        #expect(framer.position == Int64(input.count))
        #expect(try framer.next() == nil)
    }
}


extension RecordFramerTests {
    @Test func lineBreakInsideAStringEndsABrokenObjectWithoutGarbage() throws {
        let chunks = try frameAll([UInt8]("{\"a\":\"cut\n{\"b\":2}\n"))
        #expect(chunks.count == 2)
        #expect(chunks.first?.bytes == [UInt8]("{\"a\":\"cut"))
        #expect(chunks.last?.kind == .object)
        #expect(chunks.last?.offset == 10)
    }

    @Test func framingResumesAtARecordStartInsideABrokenObject() throws {
        let pretty = "{\n  \"b\": 2\n}"
        let chunks = try frameAll([UInt8]("{\"a\":\"cut" + pretty))
        #expect(chunks.count == 2)
        #expect(chunks.first?.bytes == [UInt8]("{\"a\":\"cut"))
        #expect(chunks.last?.kind == .object)
        #expect(chunks.last?.bytes == [UInt8](pretty))
        #expect(chunks.last?.offset == 9)
    }
}

extension RecordFramerTests {
    @Test(arguments: [3, 64, 4096])
    func recordOfExactlyTheLimitIsKeptOneMoreIsOversized(readSize: Int) throws {
        func record(_ length: Int) -> String {
            let head = #"{"ContactId":"x","p":""#
            return head + String(repeating: "y", count: length - head.utf8.count - 2) + #""}"#
        }
        let exact = record(200), over = record(201)
        #expect(exact.utf8.count == 200 && over.utf8.count == 201)
        let chunks = try frameAll([UInt8](exact + over + exact), readSize: readSize, maxRecordSize: 200)
        #expect(chunks.map(\.kind) == [.object, .oversized(totalLength: 201), .object])
        #expect(chunks.map(\.offset) == [0, 200, 401])
    }

    @Test func oversizedRecordCutOffByTheEndOfTheStream() throws {
        let input = [UInt8](#"{"a":1}{"big":""# + String(repeating: "z", count: 1000))
        let chunks = try frameAll(input, readSize: 16, maxRecordSize: 100)
        #expect(chunks.map(\.kind) == [.object, .oversized(totalLength: Int64(input.count - 7))])
        #expect(chunks.last?.offset == 7)
    }

    @Test func longGarbageKeepsItsFirst64KiBAndExactLength() throws {
        let garbage = [UInt8](repeating: UInt8(ascii: "g"), count: 200_000)
        let input = [UInt8](#"{"a":1}"#) + garbage + [UInt8](#"{"b":2}"#)
        let chunks = try frameAll(input, readSize: 10_000, maxRecordSize: 1024)
        #expect(chunks.map(\.kind) == [.object, .garbage(totalLength: 200_000), .object])
        #expect(chunks[1].bytes.count == 64 * 1024)
        #expect(chunks[1].offset == 7)
        #expect(chunks[2].offset == 200_007)
    }
}
