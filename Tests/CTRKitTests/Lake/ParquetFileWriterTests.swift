import Foundation
import Testing
import TestSupport
@testable import CTRKit

@Suite struct ParquetFileWriterTests {
    /// The columns and rows of Fixtures/pyarrow-small.parquet (see make_fixture.py there).
    static let schema = ParquetSchema([.string("contact_id", optional: false), .string("queue_name"), .int64("queue_s"), .timestamp("enqueue_ts")])
    static let rows: [[ParquetValue]] = [
        [.string("b"), .string("Sales"), .int64(30), .int64(1_700_000_000_000_000)],
        [.string("a"), .null, .null, .null],
        [.string("c"), .string("Billing"), .int64(-5), .int64(1_700_000_060_000_000)],
    ]

    private func write(_ schema: ParquetSchema, _ rows: [[ParquetValue]], compression: ParquetCompression = .none,
                       in folder: TemporaryFolder) throws -> [UInt8] {
        let path = folder.file("test.parquet")
        let writer = try ParquetFileWriter(path: path, schema: schema, compression: compression)
        var group = ParquetRowGroup(schema: schema)
        for row in rows { try group.append(row: row) }
        try writer.write(group)
        let summary = try writer.finish()
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(summary.bytes == bytes.count)
        #expect(summary.rows == rows.count)
        return bytes
    }

    private func pyarrowFile() throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/pyarrow-small.parquet")
        return try [UInt8](Data(contentsOf: url))
    }

    private func chunks(_ footer: ThriftValue) -> [ThriftValue] {
        footer[4]?.list?.first?[1]?.list?.compactMap { $0[3] } ?? []
    }

    /// The page header at `offset`, and where its body starts.
    private func page(_ file: [UInt8], at offset: Int) throws -> (header: ThriftValue, body: Int) {
        var reader = ThriftCompactReader(file, at: offset)
        let header = try reader.readStruct()
        return (header, reader.position)
    }

    @Test func footerDescribesTheColumnsAsPyarrowDoes() throws {
        let folder = try TemporaryFolder()
        let ours = try parquetFooter(write(Self.schema, Self.rows, in: folder))
        let theirs = try parquetFooter(pyarrowFile())

        #expect(ours[3] == theirs[3])  // num_rows
        let ourSchema = ours[2]?.list ?? [], theirSchema = theirs[2]?.list ?? []
        #expect(ourSchema.count == 5 && theirSchema.count == 5)
        #expect(ourSchema.first?[4] == theirSchema.first?[4] && ourSchema.first?[5] == theirSchema.first?[5])  // root name, children
        for (our, their) in zip(ourSchema.dropFirst(), theirSchema.dropFirst()) {
            // type, repetition, name, converted type, logical type
            for field: Int16 in [1, 3, 4, 6, 10] {
                #expect(our[field] == their[field], "schema element \(our[4]?.string ?? "?") field \(field)")
            }
        }
        let ourChunks = chunks(ours), theirChunks = chunks(theirs)
        #expect(ourChunks.count == 4 && theirChunks.count == 4)
        for (our, their) in zip(ourChunks, theirChunks) {
            let name = our[3]?.list?.first?.string ?? "?"
            // type, path, codec, num_values
            for field: Int16 in [1, 3, 4, 5] { #expect(our[field] == their[field], "column \(name) field \(field)") }
            // statistics: null_count, max_value, min_value
            for field: Int16 in [3, 5, 6] { #expect(our[12]?[field] == their[12]?[field], "column \(name) statistics field \(field)") }
            #expect(our[2]?.list?.contains(.int(0)) == true)  // PLAIN among the encodings
        }
        #expect(ours[7] == theirs[7])  // column_orders: TYPE_ORDER for each column
        #expect(ours[6]?.string?.hasPrefix("ctrdb version ") == true)
    }

    @Test func pagesHoldWhatPyarrowsPagesHold() throws {
        let folder = try TemporaryFolder()
        let ourFile = try write(Self.schema, Self.rows, in: folder), theirFile = try pyarrowFile()
        let ourChunks = chunks(try parquetFooter(ourFile)), theirChunks = chunks(try parquetFooter(theirFile))
        for (index, (our, their)) in zip(ourChunks, theirChunks).enumerated() {
            let ourPage = try page(ourFile, at: Int(our[9]!.int!)), theirPage = try page(theirFile, at: Int(their[9]!.int!))
            #expect(ourPage.header[1] == theirPage.header[1])  // DATA_PAGE
            for field: Int16 in [1, 2, 3, 4] {  // num_values and the three encodings
                #expect(ourPage.header[5]?[field] == theirPage.header[5]?[field], "column \(index) data page field \(field)")
            }
            let ourSize = Int(ourPage.header[2]!.int!), theirSize = Int(theirPage.header[2]!.int!)
            var ourBody = Array(ourFile[ourPage.body..<ourPage.body + ourSize])
            var theirBody = Array(theirFile[theirPage.body..<theirPage.body + theirSize])
            if index > 0 {
                // optional: compare the decoded definition levels, then the values after them
                func levels(_ body: inout [UInt8]) throws -> [UInt8] {
                    let length = Int(body[0]) | Int(body[1]) << 8 | Int(body[2]) << 16 | Int(body[3]) << 24
                    defer { body.removeFirst(4 + length) }
                    return try decodeRLEHybrid(Array(body[4..<4 + length]), bitWidth: 1, count: 3)
                }
                let ourLevels = try levels(&ourBody), theirLevels = try levels(&theirBody)
                #expect(ourLevels == [1, 0, 1] && ourLevels == theirLevels)
            }
            #expect(ourBody == theirBody, "column \(index): PLAIN values")
        }
    }

    @Test func chunksFollowEachOtherBetweenTheMagicAndTheFooter() throws {
        let folder = try TemporaryFolder()
        let file = try write(Self.schema, Self.rows, in: folder)
        #expect(Array(file.prefix(4)) == Array("PAR1".utf8) && Array(file.suffix(4)) == Array("PAR1".utf8))
        let footerLength = Int(file[file.count - 8]) | Int(file[file.count - 7]) << 8
        var next = 4
        for chunk in chunks(try parquetFooter(file)) {
            #expect(chunk[9]?.int == Int64(next))
            #expect(chunk[6] == chunk[7])  // uncompressed: both sizes equal
            next += Int(chunk[7]!.int!)
        }
        #expect(next == file.count - 8 - footerLength)
    }

    @Test func largeColumnsAreCutIntoPagesOfAboutOneMiB() throws {
        let folder = try TemporaryFolder()
        let text = String(repeating: "x", count: 1000)
        let schema = ParquetSchema([.string("text")])
        let rows = (0..<3000).map { i -> [ParquetValue] in [i % 7 == 0 ? .null : .string(text + "\(i)")] }
        let file = try write(schema, rows, compression: .zstd, in: folder)
        let chunk = chunks(try parquetFooter(file))[0]
        var offset = Int(chunk[9]!.int!)
        let end = offset + Int(chunk[7]!.int!)
        var pages = 0, values: Int64 = 0
        while offset < end {
            let (header, body) = try page(file, at: offset)
            #expect(Int(header[2]!.int!) <= ColumnBuffer.pageSize + 64 * 1024)
            values += header[5]![1]!.int!
            offset = body + Int(header[3]!.int!)
            pages += 1
        }
        #expect(offset == end)
        #expect(pages == 3)
        #expect(values == 3000)
        #expect(chunk[12]?[3]?.int == Int64((0..<3000).filter { $0 % 7 == 0 }.count))
    }

    @Test func statisticsOrderStringsAsUnsignedBytesAndIntegersAsSigned() throws {
        let folder = try TemporaryFolder()
        let schema = ParquetSchema([.string("s"), .int64("n")])
        let file = try write(schema, [[.string("z"), .int64(5)], [.string("é"), .int64(-7)], [.string("A"), .null]], in: folder)
        let stats = chunks(try parquetFooter(file)).map { $0[12]! }
        #expect(stats[0][6]?.string == "A" && stats[0][5]?.string == "é")
        #expect(stats[1][6]?.bytes == withUnsafeBytes(of: Int64(-7).littleEndian, Array.init))
        #expect(stats[1][5]?.bytes == withUnsafeBytes(of: Int64(5).littleEndian, Array.init))
        #expect(stats[1][3]?.int == 1 && stats[0][3]?.int == 0)
    }

    @Test func everyCodecCompressesEveryPage() throws {
        let schema = ParquetSchema([.string("s", optional: false)])
        let rows = (0..<5000).map { [ParquetValue.string("queue \($0 % 10)")] }
        for (compression, codec, magic) in [(ParquetCompression.zstd, 6, [0x28, 0xB5, 0x2F, 0xFD] as [UInt8]), (.gzip, 2, [0x1F, 0x8B]), (.snappy, 1, [])] {
            let folder = try TemporaryFolder()
            let file = try write(schema, rows, compression: compression, in: folder)
            let chunk = chunks(try parquetFooter(file))[0]
            #expect(chunk[4]?.int == Int64(codec))
            #expect(chunk[7]!.int! < chunk[6]!.int! / 5, "\(compression) shrinks repetitive text")
            let (header, body) = try page(file, at: Int(chunk[9]!.int!))
            #expect(Array(file[body..<body + magic.count]) == magic)
            if compression == .snappy {
                // a snappy block starts with the uncompressed length as a varint
                var reader = ThriftCompactReader(file, at: body)
                #expect(try reader.varint() == UInt64(header[2]!.int!))
            }
        }
    }

    @Test func aBadRowIsRefusedAndLeavesTheGroupAsItWas() throws {
        var group = ParquetRowGroup(schema: Self.schema)
        try group.append(row: Self.rows[0])
        #expect(throws: ParquetError.wrongRowWidth(expected: 4, got: 1)) { try group.append(row: [.string("x")]) }
        #expect(throws: ParquetError.nullInRequiredColumn(column: "contact_id")) { try group.append(row: [.null, .null, .null, .null]) }
        #expect(throws: ParquetError.wrongValue(column: "queue_s", expected: .int64, got: .string("7"))) {
            try group.append(row: [.string("x"), .null, .string("7"), .null])
        }
        #expect(group.rowCount == 1)
        #expect(group.columns.allSatisfy { $0.rowCount == 1 })
    }
}

@Suite struct ColumnBufferTests {
    @Test func stringsCompareAsUnsignedBytesWithAPrefixFirst() {
        func compare(_ a: String, _ b: String) -> Int {
            Array(a.utf8).withUnsafeBytes { ColumnBuffer.compare($0, Array(b.utf8)) }
        }
        #expect(compare("a", "b") < 0 && compare("b", "a") > 0 && compare("a", "a") == 0)
        #expect(compare("ab", "abc") < 0 && compare("", "a") < 0 && compare("", "") == 0)
        #expect(compare("é", "z") > 0, "0xC3 sorts after 0x7A unsigned")
    }
}
