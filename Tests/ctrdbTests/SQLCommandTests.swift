import Foundation
import Testing
import TestSupport

/// `ctrdb sql` through the real binary: formats pinned by golden files, read-only access.
@Suite struct SQLCommandTests {
    private let query = """
        SELECT contact_id, initiation_method, queue_name, enqueue_ts, dequeue_ts, queue_duration_s,
               connected_to_agent_ts, chain_id, chain_depth, outcome
        FROM contacts ORDER BY contact_id
        """

    private func seededSandbox() throws -> Sandbox {
        let box = try Sandbox()
        try box.write("seed.json", Seed.bytes())
        try AssertExecuteCommand(["ingest", "seed.json", "--db", "ctr.db", "-q"], in: box.url)
        return box
    }

    @Test(arguments: ["csv", "json", "ndjson", "markdown", "table"])
    func formatsMatchGoldenFiles(format: String) throws {
        let box = try seededSandbox()
        let result = try AssertExecuteCommand(["sql", query, "--db", "ctr.db", "--format", format], in: box.url, exitCode: 0)
        #expect(result.stderr == "")
        try assertGolden(result.stdout, "seed-contacts.\(format)")
    }

    @Test func journeysGolden() throws {
        let box = try seededSandbox()
        let result = try AssertExecuteCommand(["sql", "SELECT * FROM journeys", "--db", "ctr.db", "--format", "json"], in: box.url)
        try assertGolden(result.stdout, "seed-journeys.json")
        let parsed = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]
        #expect(parsed?.count == 1)
        #expect(parsed?.first?["legs"] as? Int == 2)
    }

    @Test func csvIsTheDefaultWhenStdoutIsNotATerminal() throws {
        let box = try seededSandbox()
        try AssertExecuteCommand(["sql", "SELECT COUNT(*) AS n FROM contacts", "--db", "ctr.db"], in: box.url, expecting: "n\r\n2\r\n")
    }

    @Test func emptyResultInJSONIsAnEmptyArray() throws {
        let box = try seededSandbox()
        try AssertExecuteCommand(["sql", "SELECT * FROM contacts WHERE 0", "--db", "ctr.db", "--format", "json"], in: box.url, expecting: "[]\n")
    }

    @Test func outputFileIsWritten() throws {
        let box = try seededSandbox()
        try AssertExecuteCommand(["sql", "SELECT COUNT(*) AS n FROM contacts", "--db", "ctr.db", "--format", "csv", "--output", "out.csv"], in: box.url, expecting: "")
        #expect(try String(contentsOf: box.url.appendingPathComponent("out.csv"), encoding: .utf8) == "n\r\n2\r\n")
    }

    @Test(arguments: ["DELETE FROM contacts", "UPDATE contacts SET outcome = 'x'", "DROP TABLE rejects", "INSERT INTO rejects (source_file, byte_offset, length, reason, ingested_at) VALUES ('a', 0, 0, 'r', 'n')"])
    func writingStatementsFailReadOnly(statement: String) throws {
        let box = try seededSandbox()
        let result = try AssertExecuteCommand(["sql", statement, "--db", "ctr.db"], in: box.url, exitCode: 1)
        #expect(result.stderr.contains("read-only"), "\(result.stderr)")
        #expect(result.stdout == "")
        try AssertExecuteCommand(["sql", "SELECT COUNT(*) AS n FROM contacts", "--db", "ctr.db"], in: box.url, expecting: "n\r\n2\r\n")
    }

    @Test func missingDatabaseIsAClearError() throws {
        let box = try Sandbox()
        let result = try AssertExecuteCommand(["sql", "SELECT 1", "--db", "missing.db"], in: box.url, exitCode: 1, expecting: "")
        #expect(result.stderr.contains("no database at missing.db"), "\(result.stderr)")
        #expect(result.stderr.contains("ctrdb ingest"))
        #expect(!FileManager.default.fileExists(atPath: box.url.appendingPathComponent("missing.db").path), "sql never creates a database")
    }

    /// A new database is built aside (`<db>.building`): until it is in place, readers say so,
    /// and whether a run is still building it (it holds the file's lock) or one was stopped.
    @Test func aDatabaseStillBeingBuiltIsAClearError() throws {
        let box = try Sandbox()
        let building = box.url.appendingPathComponent("new.db.building").path
        #expect(FileManager.default.createFile(atPath: building, contents: Data()))
        let stopped = try AssertExecuteCommand(["sql", "SELECT 1", "--db", "new.db"], in: box.url, exitCode: 1, expecting: "")
        #expect(stopped.stderr.contains("was stopped before it finished"), "\(stopped.stderr)")
        #expect(stopped.stderr.contains("run that ingest again"))
        let lock = open(building, O_RDWR)
        defer { close(lock) }
        #expect(flock(lock, LOCK_EX) == 0)
        let underWay = try AssertExecuteCommand(["report", "quality", "--db", "new.db"], in: box.url, exitCode: 1, expecting: "")
        #expect(underWay.stderr.contains("is still building it"), "\(underWay.stderr)")
        #expect(!FileManager.default.fileExists(atPath: box.url.appendingPathComponent("new.db").path))
    }

    @Test func invalidSQLExitsOneAndNamesTheProblem() throws {
        let box = try seededSandbox()
        let result = try AssertExecuteCommand(["sql", "SELEKT 1", "--db", "ctr.db"], in: box.url, exitCode: 1, expecting: "")
        #expect(result.stderr.contains("syntax error"), "\(result.stderr)")
    }

    @Test func badFormatIsUsageError() throws {
        let box = try seededSandbox()
        try AssertExecuteCommand(["sql", "SELECT 1", "--db", "ctr.db", "--format", "xml"], in: box.url, exitCode: 64, expecting: "")
    }
}
