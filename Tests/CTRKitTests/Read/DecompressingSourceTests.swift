import Foundation
import Testing
@testable import CTRKit
import TestSupport

@Suite struct DecompressingSourceTests {
    private let records = #"{"ContactId":"a"}{"ContactId":"b"}"# + "\n" + #"{"ContactId":"c"}"#

    private func inflate(_ bytes: [UInt8], step: Int = 1 << 20, bufferSize: Int = 4096, inputBuffer: Int = 256 * 1024) throws -> (bytes: [UInt8], source: DecompressingSource) {
        let source = DecompressingSource(TrickleSource(bytes, step: step), bufferSize: inputBuffer)
        return (try drain(source, bufferSize: bufferSize), source)
    }

    @Test func plainInputPassesThroughUnchanged() throws {
        let (out, source) = try inflate([UInt8](records))
        #expect(out == [UInt8](records))
        #expect(!source.isGzip)
        #expect(source.damage == nil)
    }

    @Test func singleMember() throws {
        let (out, source) = try inflate(gzip(records))
        #expect(out == [UInt8](records))
        #expect(source.isGzip)
        #expect(source.members == 1)
        #expect(source.damage == nil)
    }

    @Test(arguments: [1, 2, 5, 4096])
    func multiMemberIsReadToTheEnd(step: Int) throws {
        let a = #"{"ContactId":"a"}"#, b = "\n{\"ContactId\":\"b\"}", c = #"{"ContactId":"c"}"#
        let (out, source) = try inflate(gzip(a) + gzip(b) + gzip(c), step: step, bufferSize: 3, inputBuffer: 16)
        #expect(String(decoding: out, as: UTF8.self) == a + b + c)
        #expect(source.members == 3)
        #expect(source.damage == nil)
    }

    @Test func emptyGzipMember() throws {
        let (out, source) = try inflate(gzip([UInt8]()))
        #expect(out.isEmpty)
        #expect(source.isGzip)
        #expect(source.damage == nil)
        // An empty member between two others is harmless too.
        let (out2, source2) = try inflate(gzip("{\"a\":1}") + gzip([UInt8]()) + gzip("{\"b\":2}"))
        #expect(String(decoding: out2, as: UTF8.self) == "{\"a\":1}{\"b\":2}")
        #expect(source2.members == 3)
        #expect(source2.damage == nil)
    }

    @Test func emptyInput() throws {
        let (out, source) = try inflate([])
        #expect(out.isEmpty)
        #expect(!source.isGzip)
        #expect(source.damage == nil)
    }

    @Test func truncatedMemberKeepsWhatWasInflatedAndSetsDamage() throws {
        // Incompressible-ish content so that the cut lands in the middle of the data.
        var text = ""
        for i in 0..<400 { text += "{\"ContactId\":\"id-\(i)-\((i &* 2_654_435_761) % 1_000_003)\"}\n" }
        let full = gzip([UInt8](text), level: 1)
        let cut = Array(full.prefix(full.count / 2))
        let (out, source) = try inflate(cut, step: 100, bufferSize: 512)
        let damage = try #require(source.damage)
        #expect(damage.reason.contains("truncated"))
        #expect(!out.isEmpty)
        #expect(out.count < text.utf8.count)
        #expect(out == Array([UInt8](text).prefix(out.count)), "what was inflated is a prefix of the original")
        #expect(damage.compressedOffset <= Int64(cut.count))
    }

    @Test func truncatedInsideTheTrailer() throws {
        let full = gzip(records)
        let (out, source) = try inflate(Array(full.dropLast(3)))
        #expect(source.damage != nil)
        #expect(out == [UInt8](records), "the data was complete; only the checksum is missing")
    }

    @Test func corruptBytesInsideAMember() throws {
        var text = ""
        for i in 0..<200 { text += "{\"ContactId\":\"c-\(i)\"}" }
        var bytes = gzip(text)
        // Flip bytes in the deflate data (past the 10-byte header).
        for k in 0..<8 { bytes[bytes.count / 2 + k] ^= 0xA5 }
        let (out, source) = try inflate(bytes)
        let damage = try #require(source.damage)
        #expect(damage.reason.contains("corrupt") || damage.reason.contains("truncated"))
        #expect(out.count <= text.utf8.count + 1024)
    }

    @Test func corruptSecondMemberKeepsTheFirst() throws {
        let first = "{\"ContactId\":\"first\"}"
        var second = gzip("{\"ContactId\":\"second\"}")
        second[3] = 0xE0 // reserved flag bits: zlib rejects the header
        let (out, source) = try inflate(gzip(first) + second)
        #expect(source.damage != nil)
        #expect(String(decoding: out, as: UTF8.self) == first)
    }

    @Test func garbageAfterAMemberIsDamage() throws {
        let (out, source) = try inflate(gzip(records) + [UInt8]("this is not gzip"))
        #expect(out == [UInt8](records))
        let damage = try #require(source.damage)
        #expect(damage.reason.contains("after gzip member 1"))
        #expect(damage.compressedOffset == Int64(gzip(records).count))
    }

    @Test(arguments: [1, 3, 512])
    func zeroPaddingAfterAMemberIsHarmless(step: Int) throws {
        let (out, source) = try inflate(gzip(records) + [UInt8](repeating: 0, count: 1000), step: step, inputBuffer: 64)
        #expect(out == [UInt8](records))
        #expect(source.damage == nil)
    }

    @Test func zeroPaddingThenGarbageIsDamage() throws {
        let (out, source) = try inflate(gzip(records) + [0, 0, 0, 0x41])
        #expect(out == [UInt8](records))
        #expect(source.damage != nil)
    }

    @Test func gzipIsDetectedByContentNotName() throws {
        let folder = try TemporaryFolder()
        let path = try folder.write("export-without-extension", gzip(records))
        let source = DecompressingSource(try FileSource(path: path))
        #expect(try drain(source) == [UInt8](records))
        #expect(source.isGzip)
        // And a plain file named .gz is read as plain.
        let plain = try folder.write("plain.gz", records)
        let plainSource = DecompressingSource(try FileSource(path: plain))
        #expect(try drain(plainSource) == [UInt8](records))
        #expect(!plainSource.isGzip)
    }

    @Test func aSingleMagicByteIsPlain() throws {
        let (out, source) = try inflate([0x1f])
        #expect(out == [0x1f])
        #expect(!source.isGzip)
    }

    @Test func recordsBeforeTruncationSurviveTheWholeStream() throws {
        var text = ""
        for i in 0..<300 { text += "{\"ContactId\":\"r\(i)\",\"n\":\((i &* 7919) % 10007)}\n" }
        let full = gzip([UInt8](text), level: 1)
        let cut = Array(full.prefix(full.count * 2 / 3))
        let source = DecompressingSource(MemorySource(cut))
        let (records, _) = try streamAll(source)
        #expect(source.damage != nil)
        #expect(records.count > 0)
        #expect(records.count < 300)
        #expect(records.enumerated().allSatisfy { $0.element.contactId == "r\($0.offset)" })
    }
}
