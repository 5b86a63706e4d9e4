import Testing
@testable import CTRKit

@Suite struct ThriftCompactWriterTests {
    private func encode(_ body: (inout ThriftCompactWriter) -> Void) -> [UInt8] {
        ThriftCompactWriter.encode(body)
    }

    @Test func varintsAreLittleEndianSevenBitGroups() {
        func varint(_ value: UInt64) -> [UInt8] {
            var w = ThriftCompactWriter()
            w.varint(value)
            return w.bytes
        }
        #expect(varint(0) == [0x00])
        #expect(varint(127) == [0x7F])
        #expect(varint(128) == [0x80, 0x01])
        #expect(varint(300) == [0xAC, 0x02])
        #expect(varint(UInt64.max) == Array(repeating: 0xFF, count: 9) + [0x01])
    }

    @Test func zigzagInterleavesSigns() {
        let w = ThriftCompactWriter()
        #expect([0, -1, 1, -2, 2].map { w.zigzag($0) } == [0, 1, 2, 3, 4])
        #expect(w.zigzag(Int64.max) == UInt64.max - 1)
        #expect(w.zigzag(Int64.min) == UInt64.max)
    }

    @Test func shortFieldHeadersCarryTheDelta() {
        // field 1 i32 5 (zigzag 10), field 3 i64 -1 (zigzag 1): deltas 1 and 2
        #expect(encode { $0.field(1, i32: 5); $0.field(3, i64: -1) } == [0x15, 0x0A, 0x26, 0x01, 0x00])
    }

    @Test func longFieldHeadersForBigOrBackwardDeltas() {
        // field 20 after 0: delta 20 > 15, so type byte then zigzag(20) = 40; then field 2 (backwards)
        #expect(encode { $0.field(20, i32: 1); $0.field(2, i32: 1) } == [0x05, 0x28, 0x02, 0x05, 0x04, 0x02, 0x00])
    }

    @Test func boolsLiveInTheFieldType() {
        #expect(encode { $0.field(1, bool: true); $0.field(2, bool: false) } == [0x11, 0x12, 0x00])
    }

    @Test func binaryIsLengthThenBytes() {
        #expect(encode { $0.field(4, string: "ab") } == [0x48, 0x02, 0x61, 0x62, 0x00])
        #expect(encode { $0.field(1, binary: []) } == [0x18, 0x00, 0x00])
    }

    @Test func nestedStructsRestartTheirFieldIDs() {
        // field 5 struct { field 1 i32 1 }, then field 6 i16 -1: the outer delta counts from 5 again
        let bytes = encode { w in
            w.field(5, struct: { $0.field(1, i32: 1) })
            w.field(6, i16: -1)
        }
        #expect(bytes == [0x5C, 0x15, 0x02, 0x00, 0x14, 0x01, 0x00])
    }

    @Test func listsShortAndLong() {
        #expect(encode { $0.field(2, i32List: [0, 3]) } == [0x29, 0x25, 0x00, 0x06, 0x00])
        let long = encode { $0.field(1, stringList: Array(repeating: "x", count: 15)) }
        #expect(Array(long.prefix(3)) == [0x19, 0xF8, 0x0F])
        #expect(long.count == 3 + 15 * 2 + 1)
        let structs = encode { $0.field(1, structList: [7, 8]) { w, v in w.field(1, i64: v) } }
        #expect(structs == [0x19, 0x2C, 0x16, 0x0E, 0x00, 0x16, 0x10, 0x00, 0x00])
    }

    @Test func theTestReaderReadsBackWhatTheWriterWrote() throws {
        let bytes = encode { w in
            w.field(1, i32: -123_456)
            w.field(2, string: "héllo")
            w.field(4, struct: { s in
                s.field(1, bool: true)
                s.field(17, i64: Int64.min)
            })
            w.field(5, structList: Array(0..<20)) { s, i in s.field(3, i16: Int16(i)) }
        }
        var reader = ThriftCompactReader(bytes)
        let value = try reader.readStruct()
        #expect(value[1]?.int == -123_456)
        #expect(value[2]?.string == "héllo")
        #expect(value[4]?[1]?.bool == true)
        #expect(value[4]?[17]?.int == Int64.min)
        #expect(value[5]?.list?.map { $0[3]?.int } == (0..<20).map { Int64($0) })
        #expect(reader.position == bytes.count)
    }
}
