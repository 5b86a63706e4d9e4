import Foundation
import GRDB
import Testing
import TestSupport

/// Hostile and damaged input through the real binary: each case names the file and the byte
/// offset on stderr, keeps the good records of the same file, and ends with exit 2.
@Suite struct HostileInputTests {
    private static func record(_ id: String, _ extra: String = "") -> String {
        #"{"ContactId":"\#(id)","LastUpdateTimestamp":"2024-03-12T10:00:00Z","InitiationMethod":"INBOUND"\#(extra)}"#
    }

    private func ingest(_ box: Sandbox, _ name: String, _ bytes: [UInt8], _ extra: [String] = []) throws -> CommandResult {
        try box.write(name, bytes)
        return try execute(["ingest", name, "--db", "ctr.db"] + extra, in: box.url)
    }

    private func ids(_ box: Sandbox) throws -> [String] {
        try DatabaseQueue(path: box.url.appendingPathComponent("ctr.db").path).read { db in
            try String.fetchAll(db, sql: "SELECT contact_id FROM contacts ORDER BY contact_id")
        }
    }

    @Test func badGzipChecksumKeepsTheRecordsAndMarksThePartialFile() throws {
        let box = try Sandbox()
        var bytes = gzip(Array((Self.record("a") + Self.record("b")).utf8))
        bytes[bytes.count - 8] ^= 0xFF  // the CRC-32 in the trailer
        let result = try ingest(box, "bad-crc.gz", bytes)
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stderr.contains("bad-crc.gz: byte"), "\(result)")
        #expect(try ids(box) == ["a", "b"])
        #expect(try execute(["sql", "SELECT status FROM ingest_files", "--db", "ctr.db"], in: box.url).stdout == "status\r\npartial\r\n")
    }

    @Test func invalidUTF8AndNULBytesAreRejectedBetweenGoodRecords() throws {
        let box = try Sandbox()
        var bytes = Array(Self.record("a").utf8)
        let badStart = bytes.count
        bytes += Array(#"{"ContactId":"bad","Note":"caf"#.utf8) + [0xE9] + Array(#""}"#.utf8)
        bytes += Array(Self.record("b").utf8)
        bytes += [0x00, 0x00, 0x00]
        bytes += Array(Self.record("c").utf8)
        let result = try ingest(box, "mixed.json", bytes)
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stderr.contains("mixed.json: byte \(badStart): the record is not valid UTF-8"), "\(result)")
        #expect(result.stderr.contains("not JSON"), "\(result)")
        #expect(try ids(box) == ["a", "b", "c"])
        // The invalid bytes are kept as they were, as a blob.
        let raw = try DatabaseQueue(path: box.url.appendingPathComponent("ctr.db").path).read { db in
            try Row.fetchOne(db, sql: "SELECT typeof(raw_text) AS t, length(raw_text) AS n FROM rejects WHERE byte_offset = ?", arguments: [badStart])
        }
        #expect(raw?["t"] == "blob")
    }

    @Test func aLongContactIdIsJustAnId() throws {
        let box = try Sandbox()
        let id = String(repeating: "x", count: 10_240)
        let result = try ingest(box, "long.json", Array((Self.record(id) + Self.record("short")).utf8))
        #expect(result.exitCode == 0, "\(result)")
        #expect(try ids(box).map(\.count).sorted() == [5, 10_240])
    }

    @Test func aHugeRecordIsRejectedAndItsNeighboursKept() throws {
        let box = try Sandbox()
        // 24 MB in one record, over a 1 MiB limit: skipped while it is read, never held whole.
        let huge = Self.record("huge", #","Blob":""# + String(repeating: "z", count: 24 << 20) + #"""#)
        let result = try ingest(box, "huge.json", Array((Self.record("a") + huge + Self.record("b")).utf8), ["--max-record-size", "1048576"])
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stderr.contains("huge.json: byte \(Self.record("a").utf8.count): the record is"), "\(result)")
        #expect(result.stderr.contains("--max-record-size"), "\(result)")
        #expect(try ids(box) == ["a", "b"])
    }

    @Test func deepNestingIsRejectedWithoutCrashing() throws {
        let box = try Sandbox()
        let deep = #"{"ContactId":"deep","X":"# + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        let result = try ingest(box, "deep.json", Array((deep + Self.record("ok")).utf8))
        #expect(result.exitCode == 2, "\(result)")
        #expect(result.stderr.contains("deeper than"), "\(result)")
        #expect(try ids(box) == ["ok"])
    }

    @Test func redactedPhoneNumbersNeverReachTheDatabase() throws {
        let box = try Sandbox()
        try box.write("key", "a-long-enough-secret\n")
        let phone = #","CustomerEndpoint":{"Address":"+15555550123","Type":"TELEPHONE_NUMBER"},"Attributes":{"cb":"+15555550123"}"#
        try box.write("day1.json", Self.record("a", phone))
        try box.write("day2.json", Self.record("b", phone))
        try AssertExecuteCommand(["ingest", "day1.json", "--db", "ctr.db", "--redact-phones", "--redact-key-file", "key"], in: box.url)
        // Later runs redact too; without the key they refuse.
        let refused = try execute(["ingest", "day2.json", "--db", "ctr.db"], in: box.url)
        #expect(refused.exitCode == 1)
        #expect(refused.stderr.contains("redacts phone numbers"), "\(refused)")
        try AssertExecuteCommand(["ingest", "day2.json", "--db", "ctr.db"], in: box.url, environment: ["CTRDB_REDACT_KEY": "a-long-enough-secret"])
        let database = try Data(contentsOf: box.url.appendingPathComponent("ctr.db"))
        #expect(database.range(of: Data("5555550123".utf8)) == nil)
        let repeatCallers = try execute(["sql", "SELECT COUNT(DISTINCT customer_address) AS n, COUNT(*) AS legs FROM contacts", "--db", "ctr.db"], in: box.url)
        #expect(repeatCallers.stdout == "n,legs\r\n1,2\r\n")
    }
}
