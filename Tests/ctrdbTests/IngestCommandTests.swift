import Foundation
import Testing
import TestSupport

/// `ctrdb ingest` through the real binary: stdout, stderr and exit code together.
@Suite struct IngestCommandTests {
    private let summaryPattern = #/^ingested \d+ files.*, \d+ records, \d+ new versions, \d+ duplicates, \d+ rejects.* in \d+\.\d\d s$/#

    private func record(_ id: String, extra: String = "") -> String {
        #"{"ContactId":"\#(id)","InitiationMethod":"INBOUND","LastUpdateTimestamp":"2024-03-12T10:00:00Z"\#(extra)}"#
    }

    @Test func seedExampleIngestsToOneJourneyOfTwoLegs() throws {
        let box = try Sandbox()
        try box.write("seed.json", Seed.bytes())
        let ingest = try AssertExecuteCommand(["ingest", "seed.json", "--db", "ctr.db"], in: box.url, exitCode: 0, expecting: "")
        let lines = ingest.stderr.split(separator: "\n")
        #expect(lines.count == 1, "one summary line: \(ingest.stderr)")
        #expect(lines.first.map { $0.wholeMatch(of: summaryPattern) != nil } == true, "\(ingest.stderr)")
        #expect(ingest.stderr.contains("1 files") && ingest.stderr.contains("2 records") && ingest.stderr.contains("0 rejects"))

        try AssertExecuteCommand(["sql", "SELECT chain_id, legs, queues, answered, had_callback, broken FROM journeys", "--db", "ctr.db", "--format", "csv"],
                                 in: box.url, expecting: "chain_id,legs,queues,answered,had_callback,broken\r\n\(Seed.ctr1),2,\"CallbackQueue, InboundQueue\",1,1,0\r\n")
        try AssertExecuteCommand(["sql", "SELECT contact_id, outcome FROM contacts ORDER BY contact_id", "--db", "ctr.db", "--format", "csv"],
                                 in: box.url, expecting: "contact_id,outcome\r\n\(Seed.ctr1),callback\r\n\(Seed.ctr2),answered\r\n")
    }

    @Test func cleanRunExitsZeroWithEmptyStdout() throws {
        let box = try Sandbox()
        try box.write("a.json", record("a") + "\n" + record("b"))
        let result = try AssertExecuteCommand(["ingest", "a.json", "--db", "x.db"], in: box.url, exitCode: 0, expecting: "")
        #expect(result.stderr.hasPrefix("ingested 1 files, 2 records, 2 new versions, 0 duplicates, 0 rejects in "))
    }

    @Test func quietPrintsNothingOnSuccess() throws {
        let box = try Sandbox()
        try box.write("a.json", record("a"))
        let result = try AssertExecuteCommand(["ingest", "--quiet", "a.json", "--db", "x.db"], in: box.url, exitCode: 0, expecting: "")
        #expect(result.stderr == "")
        let again = try AssertExecuteCommand(["ingest", "-q", "a.json", "--db", "x.db"], in: box.url, exitCode: 0, expecting: "")
        #expect(again.stderr == "")
    }

    @Test func rejectsExitTwoNamingFileAndOffsets() throws {
        let box = try Sandbox()
        let first = record("a")
        try box.write("bad.json", first + "not json" + #"{"NoContactId":true}"# + record("b"))
        let result = try AssertExecuteCommand(["ingest", "bad.json", "--db", "x.db"], in: box.url, exitCode: 2, expecting: "")
        let offsetGarbage = first.utf8.count
        let offsetNoId = offsetGarbage + "not json".utf8.count
        #expect(result.stderr.contains("bad.json: byte \(offsetGarbage):"), "\(result.stderr)")
        #expect(result.stderr.contains("bad.json: byte \(offsetNoId):"), "\(result.stderr)")
        #expect(result.stderr.contains("2 rejects"))
        try AssertExecuteCommand(["sql", "SELECT byte_offset FROM rejects ORDER BY byte_offset", "--db", "x.db", "--format", "csv"],
                                 in: box.url, expecting: "byte_offset\r\n\(offsetGarbage)\r\n\(offsetNoId)\r\n")
        try AssertExecuteCommand(["sql", "SELECT contact_id FROM contacts ORDER BY 1", "--db", "x.db", "--format", "csv"],
                                 in: box.url, expecting: "contact_id\r\na\r\nb\r\n")
    }

    @Test func partialGzipExitsTwo() throws {
        let box = try Sandbox()
        var text = ""
        for i in 0..<400 { text += record("p\(i)", extra: #","Pad":"\#(i * 7919 % 10007)""#) + "\n" }
        let full = gzip(Array(text.utf8))
        try box.write("cut.gz", Array(full.prefix(full.count / 2)))
        let result = try AssertExecuteCommand(["ingest", "cut.gz", "--db", "x.db"], in: box.url, exitCode: 2, expecting: "")
        #expect(result.stderr.contains("cut.gz"))
        #expect(result.stderr.contains("truncated"))
        #expect(result.stderr.contains("1 partial files"))
        try AssertExecuteCommand(["sql", "SELECT status FROM ingest_files", "--db", "x.db", "--format", "csv"], in: box.url, expecting: "status\r\npartial\r\n")
    }

    @Test func databasePathThatIsAFolderOrNotADatabaseExitsOne() throws {
        let box = try Sandbox()
        try box.write("a.json", record("a"))
        try FileManager.default.createDirectory(at: box.url.appendingPathComponent("folder.db"), withIntermediateDirectories: true)
        let folder = try AssertExecuteCommand(["ingest", "a.json", "--db", "folder.db"], in: box.url, exitCode: 1, expecting: "")
        #expect(folder.stderr.contains("error"), "\(folder.stderr)")
        try box.write("text.db", String(repeating: "this is not sqlite\n", count: 200))
        let text = try AssertExecuteCommand(["ingest", "a.json", "--db", "text.db"], in: box.url, exitCode: 1, expecting: "")
        #expect(text.stderr.contains("error"), "\(text.stderr)")
        #expect(try Data(contentsOf: box.url.appendingPathComponent("text.db")) == Data(String(repeating: "this is not sqlite\n", count: 200).utf8),
                "the file that is not a database is left alone")
    }

    @Test func missingInputExitsOneWithAClearMessage() throws {
        let box = try Sandbox()
        let result = try AssertExecuteCommand(["ingest", "nope.json", "--db", "x.db"], in: box.url, exitCode: 1, expecting: "")
        #expect(result.stderr.contains("no such file or folder: nope.json"), "\(result.stderr)")
    }

    @Test func unreadableFileExitsOneAndOthersAreLoaded() throws {
        let box = try Sandbox()
        try box.write("good.json", record("g"))
        let result = try AssertExecuteCommand(["ingest", "/proc/self/mem", "good.json", "--db", "x.db"], in: box.url, exitCode: 1, expecting: "")
        #expect(result.stderr.contains("/proc/self/mem"))
        #expect(result.stderr.contains("1 failed files"))
        try AssertExecuteCommand(["sql", "SELECT contact_id FROM contacts", "--db", "x.db", "--format", "csv"], in: box.url, expecting: "contact_id\r\ng\r\n")
    }

    @Test(arguments: [["ingest"], ["ingest", "a.json", "--bogus"], ["ingest", "-", "-"], ["frobnicate"]])
    func badUsageExits64(arguments: [String]) throws {
        let box = try Sandbox()
        try box.write("a.json", record("a"))
        let result = try AssertExecuteCommand(arguments + ["--db", "x.db"], in: box.url, exitCode: 64, expecting: "")
        #expect(!result.stderr.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: box.url.appendingPathComponent("x.db").path), "bad usage creates nothing")
    }

    @Test func standardInputViaDash() throws {
        let box = try Sandbox()
        let input = URL(fileURLWithPath: try box.write("input.json", record("s1") + record("s2")))
        try AssertExecuteCommand(["ingest", "-", "--db", "x.db"], in: box.url, stdin: input, exitCode: 0, expecting: "")
        try AssertExecuteCommand(["sql", "SELECT contact_id, source_file, deliveries FROM contact_versions ORDER BY 1", "--db", "x.db", "--format", "csv"],
                                 in: box.url, expecting: "contact_id,source_file,deliveries\r\ns1,<stdin>,1\r\ns2,<stdin>,1\r\n")
        // The same bytes again on stdin change nothing.
        let again = try AssertExecuteCommand(["ingest", "-", "--db", "x.db"], in: box.url, stdin: input, exitCode: 0, expecting: "")
        #expect(again.stderr.contains("unchanged, skipped"), "\(again.stderr)")
        try AssertExecuteCommand(["sql", "SELECT contact_id, deliveries FROM contact_versions ORDER BY 1", "--db", "x.db", "--format", "csv"],
                                 in: box.url, expecting: "contact_id,deliveries\r\ns1,1\r\ns2,1\r\n")
        // Gzip on stdin is detected by content.
        let gz = URL(fileURLWithPath: try box.write("more.bin", gzip(Array(record("s3").utf8))))
        try AssertExecuteCommand(["ingest", "-", "--db", "x.db", "-q"], in: box.url, stdin: gz, exitCode: 0, expecting: "")
        try AssertExecuteCommand(["sql", "SELECT COUNT(*) AS n FROM contacts", "--db", "x.db", "--format", "csv"], in: box.url, expecting: "n\r\n3\r\n")
        // The first input once more, after other data came through stdin: nothing counted twice.
        try AssertExecuteCommand(["ingest", "-", "--db", "x.db", "-q"], in: box.url, stdin: input, exitCode: 0, expecting: "")
        try AssertExecuteCommand(["sql", "SELECT contact_id, deliveries FROM contact_versions ORDER BY 1", "--db", "x.db", "--format", "csv"],
                                 in: box.url, expecting: "contact_id,deliveries\r\ns1,1\r\ns2,1\r\ns3,1\r\n")
    }

    @Test func foldersAreWalkedRecursivelyInSortedOrderSkippingHiddenFiles() throws {
        let box = try Sandbox()
        try box.write("in/2024/02/b.json", record("b"))
        try box.write("in/2024/01/z.json.gz", gzip(Array(record("z").utf8)))
        try box.write("in/a.json", record("a"))
        try box.write("in/.hidden.json", record("hidden"))
        try box.write("in/.cache/c.json", record("cached"))
        try AssertExecuteCommand(["ingest", "in", "--db", "x.db", "--quiet"], in: box.url, exitCode: 0, expecting: "")
        try AssertExecuteCommand(["sql", "SELECT path FROM ingest_files ORDER BY rowid", "--db", "x.db", "--format", "csv"], in: box.url,
                                 expecting: "path\r\nin/2024/01/z.json.gz\r\nin/2024/02/b.json\r\nin/a.json\r\n")
        try AssertExecuteCommand(["sql", "SELECT contact_id FROM contacts ORDER BY 1", "--db", "x.db", "--format", "csv"], in: box.url,
                                 expecting: "contact_id\r\na\r\nb\r\nz\r\n")
    }

    @Test func secondRunReportsFilesSkipped() throws {
        let box = try Sandbox()
        try box.write("d/a.json", record("a"))
        try box.write("d/b.json", record("b"))
        try AssertExecuteCommand(["ingest", "d", "--db", "x.db"], in: box.url)
        let again = try AssertExecuteCommand(["ingest", "d", "--db", "x.db"], in: box.url, exitCode: 0, expecting: "")
        #expect(again.stderr.hasPrefix("ingested 2 files (2 unchanged, skipped), 0 records"), "\(again.stderr)")
    }

    @Test func databaseDefaultsToEnvironmentThenCurrentFolder() throws {
        let box = try Sandbox()
        try box.write("a.json", record("a"))
        try AssertExecuteCommand(["ingest", "a.json", "-q"], in: box.url, environment: ["CTRDB_DB": "env.db"])
        #expect(FileManager.default.fileExists(atPath: box.url.appendingPathComponent("env.db").path))
        try AssertExecuteCommand(["ingest", "a.json", "-q"], in: box.url)
        #expect(FileManager.default.fileExists(atPath: box.url.appendingPathComponent("ctr.db").path))
    }

    @Test func oversizedRecordIsRejectedAndTheRestLoaded() throws {
        let box = try Sandbox()
        let big = record("big", extra: #","Pad":""# + String(repeating: "x", count: 3000) + "\"")
        try box.write("a.json", record("a") + big + record("b"))
        let result = try AssertExecuteCommand(["ingest", "a.json", "--db", "x.db", "--max-record-size", "1024"], in: box.url, exitCode: 2, expecting: "")
        #expect(result.stderr.contains("a.json: byte \(record("a").utf8.count):"), "\(result.stderr)")
        #expect(result.stderr.contains("over the limit of 1024"))
        try AssertExecuteCommand(["sql", "SELECT contact_id FROM contacts ORDER BY 1", "--db", "x.db", "--format", "csv"], in: box.url,
                                 expecting: "contact_id\r\na\r\nb\r\n")
        try AssertExecuteCommand(["ingest", "a.json", "--db", "y.db", "--max-record-size", "10"], in: box.url, exitCode: 64, expecting: "")
    }
}
