import Foundation
import Testing
@testable import CTRKit

/// Hostile inputs through the whole frame + decode stage: every good record survives, every
/// bad span becomes a reject with its exact offset.
@Suite struct RecordStreamTests {
    private let a = #"{"ContactId":"a"}"#
    private let b = #"{"ContactId":"b"}"#
    private let c = #"{"ContactId":"c"}"#

    @Test func garbageBetweenRecordsIsRejectedWithItsOffset() throws {
        let (records, rejects) = try streamAll([UInt8](a + "#not json#" + b))
        #expect(records.map(\.contactId) == ["a", "b"])
        #expect(records.map(\.offset) == [0, 27])
        #expect(rejects.count == 1)
        #expect(rejects.first?.offset == 17)
        #expect(rejects.first?.length == 10)
        #expect(rejects.first?.bytes == [UInt8]("#not json#"))
        #expect(rejects.first?.reason.contains("not JSON") == true)
    }

    @Test func braceBalancedInvalidRecordIsRejectedAndNeighboursKept() throws {
        let bad = #"{"ContactId":"x", oops}"#
        let (records, rejects) = try streamAll([UInt8](a + "\n" + bad + "\n" + b))
        #expect(records.map(\.contactId) == ["a", "b"])
        #expect(rejects.map(\.offset) == [18])
        #expect(rejects.first?.bytes == [UInt8](bad))
        #expect(rejects.first?.reason.contains("invalid JSON") == true)
    }

    @Test func recordWithoutContactIdIsRejected() throws {
        let (records, rejects) = try streamAll([UInt8](a + #"{"Channel":"VOICE"}"# + b))
        #expect(records.map(\.contactId) == ["a", "b"])
        #expect(rejects.map(\.offset) == [17])
        #expect(rejects.first?.reason == DecodeError.missingContactId.localizedDescription)
        #expect(rejects.first?.bytes == [UInt8](#"{"Channel":"VOICE"}"#))
    }

    @Test func truncatedRecordFollowedByGoodRecordsIsResynchronised() throws {
        let truncated = #"{"ContactId":"t","Channel":"VOI"#
        let input = a + truncated + b + "\n" + c
        let (records, rejects) = try streamAll([UInt8](input))
        #expect(records.map(\.contactId) == ["a", "b", "c"])
        let bOffset = Int64((a + truncated).utf8.count)
        #expect(records.map(\.offset) == [0, bOffset, bOffset + Int64(b.utf8.count) + 1])
        #expect(rejects.count == 1)
        #expect(rejects.first?.offset == 17)
        #expect(rejects.first?.bytes == [UInt8](truncated))
    }

    @Test func truncatedPrettyRecordInTheMiddleOfAFile() throws {
        let records = try Fixture.seedRecords().map { String(decoding: $0, as: UTF8.self) }
        let cut = String(records[0].prefix(400))
        let input = cut + records[1] + "\n" + records[0]
        let (good, rejects) = try streamAll([UInt8](input))
        #expect(good.map(\.contactId) == [Fixture.ctr2, Fixture.ctr1])
        #expect(good.first?.offset == Int64(cut.utf8.count))
        #expect(rejects.map(\.offset) == [0])
    }

    @Test func truncatedRecordAtTheEnd() throws {
        let (records, rejects) = try streamAll([UInt8](a + #"{"ContactId":"z","#))
        #expect(records.map(\.contactId) == ["a"])
        #expect(rejects.map(\.offset) == [17])
        #expect(rejects.first?.reason.contains("truncated") == true)
    }

    @Test func binaryFileIsRejectedNotCrashed() throws {
        var generator = SplitMix64(seed: 42)
        let bytes = (0..<20_000).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let (records, rejects) = try streamAll(bytes)
        #expect(records.isEmpty)
        #expect(!rejects.isEmpty)
        // Rejects cover the stream in order, without overlap.
        for (x, y) in zip(rejects, rejects.dropFirst()) { #expect(x.offset + x.length <= y.offset) }
    }

    @Test func binaryNoiseAroundGoodRecords() throws {
        var generator = SplitMix64(seed: 7)
        // Noise without braces or quotes, so it cannot swallow a record.
        let noise = (0..<3000).map { _ -> UInt8 in
            let byte = UInt8(truncatingIfNeeded: generator.next())
            return byte == 0x7B || byte == 0x22 || byte == 0x7D ? 0 : byte
        }
        let input = noise + [UInt8](a) + noise + [UInt8](b)
        let (records, rejects) = try streamAll(input)
        #expect(records.map(\.contactId) == ["a", "b"])
        #expect(records.map(\.offset) == [3000, 3017 + 3000])
        #expect(rejects.allSatisfy { $0.offset < 3000 || ($0.offset >= 3017 && $0.offset < 6017) })
    }

    @Test func emptyAndWhitespaceFiles() throws {
        let empty = try streamAll([UInt8]())
        #expect(empty.records.isEmpty && empty.rejects.isEmpty)
        let blank = try streamAll([UInt8](" \n\n\t"))
        #expect(blank.records.isEmpty && blank.rejects.isEmpty)
    }

    @Test func nulBytesBetweenAndInsideRecords() throws {
        let input = [UInt8](a) + [0, 0, 0] + [UInt8](#"{"ContactId":"n","x":"#) + [0] + [UInt8](#"1}"#) + [UInt8](b)
        let (records, rejects) = try streamAll(input)
        #expect(records.map(\.contactId) == ["a", "b"])
        #expect(rejects.count >= 2)
        #expect(rejects.first?.offset == 17)
        #expect(rejects.first?.length == 3)
        #expect(rejects.map(\.offset).contains(20), "the broken record is rejected at its own offset")
        #expect(records.last?.offset == Int64(input.count - b.utf8.count))
    }

    @Test func oversizedRecordIsRejectedAndFollowingRecordsKept() throws {
        let big = #"{"ContactId":"big","pad":""# + String(repeating: "x", count: 5000) + #""}"#
        let (records, rejects) = try streamAll([UInt8](a + big + b), maxRecordSize: 1024)
        #expect(records.map(\.contactId) == ["a", "b"])
        #expect(rejects.count == 1)
        #expect(rejects.first?.offset == 17)
        #expect(rejects.first?.length == Int64(big.utf8.count))
        #expect(rejects.first?.reason.contains("over the limit") == true)
        #expect(records.last?.offset == Int64(17 + big.utf8.count))
    }

    @Test func invalidUTF8RecordIsRejected() throws {
        let bad = [UInt8](#"{"ContactId":"u","x":""#) + [0xFF, 0xFE] + [UInt8](#""}"#)
        let (records, rejects) = try streamAll([UInt8](a) + bad + [UInt8](b))
        #expect(records.map(\.contactId) == ["a", "b"])
        #expect(rejects.map(\.offset) == [17])
        #expect(rejects.first?.bytes == bad)
    }

    @Test func tooDeepRecordIsRejected() throws {
        let deep = #"{"ContactId":"d","x":"# + String(repeating: "[", count: 400) + String(repeating: "]", count: 400) + "}"
        let (records, rejects) = try streamAll([UInt8](a + deep + b))
        #expect(records.map(\.contactId) == ["a", "b"])
        #expect(rejects.map(\.offset) == [17])
        #expect(rejects.first?.reason.contains("deeper") == true)
    }

    @Test func arrayOfRecordsWithOneNonObjectMember() throws {
        let (records, rejects) = try streamAll([UInt8]("[" + a + ", 42, \"x\", " + b + "]"))
        #expect(records.map(\.contactId) == ["a", "b"])
        #expect(rejects.count == 1)
        #expect(rejects.first?.offset == 20)
    }

    @Test func positionReachesTheEnd() throws {
        let input = [UInt8](a + "\n" + b + "\n")
        let stream = RecordStream(source: MemorySource(input))
        while try stream.next() != nil {}
        #expect(stream.position == Int64(input.count))
    }
}

/// A small deterministic generator, so that "random" inputs are the same on every run.

extension RecordStreamTests {
    /// NDJSON with a line cut short inside a string: the newline that ends the line is not
    /// itself a rejected chunk.
    @Test func truncatedLineInNewlineDelimitedInput() throws {
        let cut = #"{"ContactId":"t","Channel":"VOI"#
        let input = a + "\n" + cut + "\n" + b + "\r\n" + c + "\n"
        let (records, rejects) = try streamAll([UInt8](input))
        #expect(records.map(\.contactId) == ["a", "b", "c"])
        #expect(rejects.count == 1, "\(rejects.map { ($0.offset, String(decoding: $0.bytes, as: UTF8.self)) })")
        #expect(rejects.first?.offset == 18)
        #expect(rejects.first?.bytes == [UInt8](cut))
    }
}
