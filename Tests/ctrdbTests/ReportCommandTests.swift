@testable import CTRKit
import Foundation
import GRDB
import Testing
import TestSupport

/// Every report of Queries/: adding a report file adds its golden files here.
private let reportNames = ((try? ReportCatalog(folder: CTRDBBinary.queries))?.reports ?? []).map(\.name)
private let formats = ["table", "csv", "json", "ndjson", "markdown"]
private let extensions = ["table": "txt", "csv": "csv", "json": "json", "ndjson": "ndjson", "markdown": "md"]
private let ctr1 = SeedContacts.ctr1
private let ctr2 = SeedContacts.ctr2

/// Databases made once by the real binary and shared read-only: the fixture export's and
/// the seed example's (their folders last as long as the test run).
private let fixtureFolder = Result { try TemporaryFolder() }
private let seedFolder = Result { try TemporaryFolder() }
private let fixtureDatabase: Result<String, Error> = Result {
    try ReportBinary.ingest(ReportBinary.fixtureFiles, into: try fixtureFolder.get().url)
}
private let seedDatabase: Result<String, Error> = Result {
    try ReportBinary.ingest([ReportBinary.seedFile], into: try seedFolder.get().url)
}

@Suite("ctrdb report: golden files")
struct ReportGoldenTests {
    @Test("every report in every format on the fixture export", arguments: reportNames, formats)
    func golden(report: String, format: String) throws {
        let db = try fixtureDatabase.get()
        let result = try ReportBinary.run(["report", report, "--db", db, "--format", format])
        #expect(result.status == 0)
        #expect(result.stderr == "")
        try assertGolden(result.stdout, "reports/\(report).\(extensions[format]!)")
        if format == "json" {
            #expect(try JSONSerialization.jsonObject(with: result.stdout) is [[String: Any]])
        }
    }

    @Test("no rows: JSON is [], every other format has its header only", arguments: formats)
    func empty(format: String) throws {
        let db = try fixtureDatabase.get()
        let result = try ReportBinary.run(["report", "abandonment", "--db", db, "--format", format, "--queue", "no such queue"])
        #expect(result.status == 0)
        try assertGolden(result.stdout, "reports/empty/abandonment.\(extensions[format]!)")
        switch format {
        case "json": #expect(result.text == "[]\n")
        case "ndjson": #expect(result.text == "")
        case "csv": #expect(result.text == "interval_start,queue,contacts_queued,abandoned,abandon_rate_pct,abandoned_short,avg_abandon_s,callback_requested,transferred,unresolved,callback_retried\r\n")
        default: #expect(result.text.hasPrefix("| interval_start") || result.text.hasPrefix("interval_start"))
        }
    }

    @Test("hourly queue duration in New York, and the total interval, as CSV")
    func options() throws {
        let db = try fixtureDatabase.get()
        let hourly = try ReportBinary.run(["report", "queue-duration", "--db", db, "--tz", "America/New_York", "--interval", "1h", "--format", "csv"])
        #expect(hourly.status == 0)
        try assertGolden(hourly.stdout, "reports/queue-duration.ny-1h.csv")
        let total = try ReportBinary.run(["report", "abandonment", "--db", db, "--interval", "total", "--by", "enqueue", "--format", "csv"])
        #expect(total.status == 0)
        try assertGolden(total.stdout, "reports/abandonment.total-by-enqueue.csv")
        #expect(parseCSV(total.text).dropFirst().allSatisfy { $0[0] == "2024-03-12T09:00:00+00:00" })
    }

    @Test("csv is the default when stdout is not a terminal")
    func defaultFormat() throws {
        let db = try fixtureDatabase.get()
        let plain = try ReportBinary.run(["report", "whisper", "--db", db])
        let csv = try ReportBinary.run(["report", "whisper", "--db", db, "--format", "csv"])
        #expect(plain.status == 0)
        #expect(plain.stdout == csv.stdout)
        // $CTRDB_DB names the database when --db is absent
        let fromEnvironment = try ReportBinary.run(["report", "whisper"], environment: ["CTRDB_DB": db])
        #expect(fromEnvironment.stdout == csv.stdout)
    }
}

@Suite("ctrdb report: the seed example through the binary")
struct SeedCommandTests {
    @Test("seed figures as CSV")
    func seed() throws {
        let db = try seedDatabase.get()
        let whisper = parseCSV(try ReportBinary.run(["report", "whisper", "--db", db, "--format", "csv"]).text)
        #expect(whisper == [["interval_start", "queue", "callbacks_dequeued", "callbacks_connected", "avg_agent_whisper_s", "max_agent_whisper_s",
                             "avg_outbound_whisper_s", "max_outbound_whisper_s"],
                            ["2024-03-12T00:00:00+00:00", "CallbackQueue", "1", "1", "10.0", "10", "15.0", "15"]])
        let callbacks = parseCSV(try ReportBinary.run(["report", "callbacks", "--db", db, "--format", "csv"]).text)
        #expect(callbacks.last == ["2024-03-12T00:00:00+00:00", "InboundQueue", "1", "1", "100.0", "325.0", "1"])
        let abandonment = parseCSV(try ReportBinary.run(["report", "abandonment", "--db", db, "--format", "csv", "--queue", "InboundQueue"]).text)
        #expect(abandonment.last == ["2024-03-12T00:00:00+00:00", "InboundQueue", "1", "0", "0.0", "0", "", "1", "0", "0", "0"])
        let quality = parseCSV(try ReportBinary.run(["report", "quality", "--db", db, "--format", "csv"]).text)
        #expect(quality[1] == ["duration_mismatch", "1", ctr2])
    }
}

@Suite("ctrdb reports, errors and exit codes")
struct ReportUsageTests {
    @Test("ctrdb reports lists every report of Queries/, one line each, with their descriptions")
    func list() throws {
        let result = try ReportBinary.run(["reports"])
        #expect(result.status == 0)
        let lines = result.text.split(separator: "\n").map(String.init)
        #expect(!reportNames.isEmpty)
        #expect(lines.count == reportNames.count)
        for name in reportNames {
            let sql = try String(contentsOfFile: CTRDBBinary.queries + "/\(name).sql", encoding: .utf8)
            let description = sql.split(separator: "\n").first { $0.hasPrefix("-- description:") }!.dropFirst("-- description:".count)
                .trimmingCharacters(in: .whitespaces)
            #expect(lines.contains { $0.hasPrefix(name + " ") && $0.hasSuffix(description) }, "\(name)")
        }
    }

    @Test("an unknown report exits 1 naming the known reports")
    func unknown() throws {
        let db = try fixtureDatabase.get()
        let result = try ReportBinary.run(["report", "nope", "--db", db])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        for name in ["nope"] + reportNames { #expect(result.stderr.contains(name), "\(name)") }
    }

    @Test("bad usage exits 64 with nothing on stdout", arguments: [
        ["--tz", "Mars/Olympus"], ["--interval", "2h"], ["--by", "answered"], ["--sl", "-1"], ["--short-abandon", "x"], ["--format", "xml"],
        ["--from", "yesterday"], ["--to", "2024-13-01"], ["--day", "2026-13-40"], ["--day", "2024-02-30"], ["--day", "tomorrow"],
        ["--day", "2024-03-12", "--from", "2024-03-12"], ["--day", "yesterday", "--to", "2024-03-13"],
    ])
    func badUsage(arguments: [String]) throws {
        let db = try fixtureDatabase.get()
        let result = try ReportBinary.run(["report", "abandonment", "--db", db] + arguments)
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(!result.stderr.isEmpty)
    }

    @Test("--from not before --to exits 1 with a message")
    func emptyRange() throws {
        let db = try fixtureDatabase.get()
        for range in [["2024-03-13", "2024-03-12"], ["2024-03-12", "2024-03-12"]] {
            let result = try ReportBinary.run(["report", "abandonment", "--db", db, "--from", range[0], "--to", range[1]])
            #expect(result.status == 1)
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.contains("--from \(range[0]) is not before --to \(range[1])"))
        }
    }

    @Test("a missing database exits 1 and is not created")
    func missingDatabase() throws {
        let scratch = try TemporaryFolder()
        let folder = scratch.url
        let db = folder.appendingPathComponent("none.db").path
        for arguments in [["report", "quality"], ["chain", ctr1], ["export", "contacts"], ["sql", "SELECT 1"]] {
            let result = try ReportBinary.run(arguments + ["--db", db])
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr.contains("no database"), "\(arguments)")
        }
        #expect(!FileManager.default.fileExists(atPath: db))
    }
}

@Suite("ctrdb chain and export")
struct ChainExportCommandTests {
    @Test("chain prints both legs of the seed journey in order, with whisper gaps, from either leg")
    func chain() throws {
        let db = try seedDatabase.get()
        let first = try ReportBinary.run(["chain", ctr1, "--db", db, "--format", "csv"])
        #expect(first.status == 0)
        let rows = parseCSV(first.text)
        #expect(rows.count == 3)
        let header = rows[0]
        func cell(_ row: Int, _ column: String) -> String { rows[row][header.firstIndex(of: column)!] }
        #expect(cell(1, "contact_id") == ctr1 && cell(2, "contact_id") == ctr2)
        #expect(cell(1, "depth") == "0" && cell(2, "depth") == "1")
        #expect(cell(1, "outcome") == "callback" && cell(2, "outcome") == "answered")
        #expect(cell(1, "agent_whisper_s") == "" && cell(1, "outbound_whisper_s") == "")
        #expect(cell(2, "agent_whisper_s") == "10" && cell(2, "outbound_whisper_s") == "15")
        #expect(cell(2, "queue_s") == "120")
        let second = try ReportBinary.run(["chain", ctr2, "--db", db, "--format", "csv"])
        #expect(second.stdout == first.stdout)
        let json = try ReportBinary.run(["chain", ctr2, "--db", db, "--format", "json"])
        let objects = try JSONSerialization.jsonObject(with: json.stdout) as! [[String: Any]]
        #expect(objects.map { $0["contact_id"] as? String } == [ctr1, ctr2])
    }

    @Test("chain of an unknown contact exits 1, prints no rows and writes no --output file")
    func unknownChain() throws {
        let db = try seedDatabase.get()
        let scratch = try TemporaryFolder()
        let folder = scratch.url
        for format in formats {
            let result = try ReportBinary.run(["chain", "unknown", "--db", db, "--format", format])
            #expect(result.status == 1)
            #expect(result.stdout.isEmpty, "\(format): \(result.text)")
            #expect(result.stderr.contains("unknown"))
        }
        let output = folder.appendingPathComponent("chain.csv").path
        let result = try ReportBinary.run(["chain", "unknown", "--db", db, "--output", output])
        #expect(result.status == 1)
        #expect(!FileManager.default.fileExists(atPath: output))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test("export journeys as CSV")
    func exportJourneys() throws {
        let db = try seedDatabase.get()
        let result = try ReportBinary.run(["export", "journeys", "--db", db, "--format", "csv"])
        #expect(result.status == 0)
        let rows = parseCSV(result.text)
        #expect(rows.first == ["chain_id", "legs", "first_initiation_ts", "last_disconnect_ts", "queues", "answered", "had_callback", "broken"])
        #expect(rows.dropFirst().map { $0 } == [[ctr1, "2", "2024-03-12T11:35:00Z", "2024-03-12T11:45:00Z", "CallbackQueue, InboundQueue", "1", "1", "0"]])
    }

    @Test("export of an unknown table exits 1 naming the tables")
    func exportUnknown() throws {
        let db = try seedDatabase.get()
        let result = try ReportBinary.run(["export", "nosuchtable", "--db", db])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("nosuchtable") && result.stderr.contains("journeys") && result.stderr.contains("contacts"))
        let injection = try ReportBinary.run(["export", "contacts; DROP TABLE contacts", "--db", db])
        #expect(injection.status == 1)
    }
}

@Suite("ctrdb output files and read-only commands")
struct OutputFileCommandTests {
    @Test("--output FILE writes the file atomically and prints nothing on stdout", arguments: [
        ["report", "abandonment"], ["report", "quality", "--format", "json"], ["chain", ctr1], ["export", "journeys"], ["sql", "SELECT * FROM contacts ORDER BY contact_id"],
    ])
    func outputFile(command: [String]) throws {
        let db = try fixtureDatabase.get()
        let scratch = try TemporaryFolder()
        let folder = scratch.url
        let output = folder.appendingPathComponent("out.txt").path
        try "previous contents".write(toFile: output, atomically: false, encoding: .utf8)
        let toFile = try ReportBinary.run(command + ["--db", db, "--output", output])
        #expect(toFile.status == 0, "\(toFile.stderr)")
        #expect(toFile.stdout.isEmpty)
        #expect(toFile.stderr == "")
        let toStdout = try ReportBinary.run(command + ["--db", db, "--format", command.contains("--format") ? "json" : "csv"])
        #expect(FileManager.default.contents(atPath: output) == toStdout.stdout)
        #expect(!toStdout.stdout.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["out.txt"])
    }

    @Test("a failing report leaves an existing --output file alone and no temporary file")
    func failingOutput() throws {
        let db = try fixtureDatabase.get()
        let scratch = try TemporaryFolder()
        let folder = scratch.url
        let output = folder.appendingPathComponent("out.csv").path
        try "keep me".write(toFile: output, atomically: false, encoding: .utf8)
        let result = try ReportBinary.run(["sql", "SELECT * FROM contacts WHERE nonsense(1)", "--db", db, "--output", output])
        #expect(result.status == 1)
        #expect(try String(contentsOfFile: output, encoding: .utf8) == "keep me")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["out.csv"])
    }

    @Test("report, sql, chain and export never modify the database")
    func readOnly() throws {
        let scratch = try TemporaryFolder()
        let folder = scratch.url
        let db = try ReportBinary.ingest(ReportBinary.fixtureFiles, into: folder)
        // The database file itself, every byte and its mtime, and every byte the write-ahead
        // log holds. A read-only SQLite connection to a WAL database may leave an empty -wal
        // and a -shm (its shared-memory index) behind: neither changes the database.
        struct FileState: Equatable {
            var database: Data
            var modified: Double
            var log: Data
        }
        func state() throws -> FileState {
            let attributes = try FileManager.default.attributesOfItem(atPath: db)
            return FileState(database: FileManager.default.contents(atPath: db) ?? Data(),
                             modified: (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0,
                             log: FileManager.default.contents(atPath: db + "-wal") ?? Data())
        }
        let before = try state()
        Thread.sleep(forTimeInterval: 0.05)
        var commands: [[String]] = reportNames.map { ["report", $0] }
        commands += [["report", "callbacks", "--interval", "total", "--tz", "Europe/Paris"], ["chain", ctr2], ["export", "contacts"], ["export", "journeys"],
                     ["sql", "SELECT COUNT(*) FROM contacts"]]
        for command in commands {
            let result = try ReportBinary.run(command + ["--db", db, "--format", "csv"])
            #expect(result.status == 0, "\(command): \(result.stderr)")
        }
        for statement in ["DELETE FROM contacts", "CREATE TABLE x (a)", "UPDATE contacts SET outcome = 'x'", "PRAGMA user_version = 7"] {
            let result = try ReportBinary.run(["sql", statement, "--db", db])
            #expect(result.status == 1, "\(statement)")
        }
        #expect(try state() == before)
        let count = try ReportBinary.run(["sql", "SELECT COUNT(*) AS n FROM contacts", "--db", db, "--format", "csv"])
        #expect(count.text == "n\r\n16\r\n")
    }
}

@Suite("ctrdb report: awkward names and injection")
struct AwkwardNameCommandTests {
    static let name = "=Sales, \"EU\"\nline 2"

    static func database() throws -> (TemporaryFolder, String) {
        let scratch = try TemporaryFolder()
        let folder = scratch.url
        let record: [String: Any] = [
            "ContactId": "awk-1", "InitiationMethod": "INBOUND", "Channel": "VOICE",
            "InitiationTimestamp": "2024-03-12T10:00:00Z", "DisconnectTimestamp": "2024-03-12T10:05:00Z",
            "LastUpdateTimestamp": "2024-03-12T10:05:00Z",
            "Queue": ["Name": name, "EnqueueTimestamp": "2024-03-12T10:00:00Z", "DequeueTimestamp": "2024-03-12T10:00:07Z", "Duration": 7],
            "Agent": ["Username": "a", "ConnectedToAgentTimestamp": "2024-03-12T10:00:07Z"],
        ]
        let file = folder.appendingPathComponent("awkward.json")
        try JSONSerialization.data(withJSONObject: record).write(to: file)
        return (scratch, try ReportBinary.ingest([file.path], into: folder))
    }

    @Test("the name round-trips through every format")
    func roundTrip() throws {
        let (scratch, db) = try Self.database()
        defer { withExtendedLifetime(scratch) {} }
        func run(_ extra: [String]) throws -> ReportCommandResult {
            let result = try ReportBinary.run(["report", "queue-duration", "--db", db] + extra)
            #expect(result.status == 0, "\(extra): \(result.stderr)")
            return result
        }
        let csv = parseCSV(try run(["--format", "csv"]).text)
        #expect(csv.count == 2)
        #expect(csv[1][1] == "'" + Self.name)
        #expect(csv[1][0] == "2024-03-12T00:00:00+00:00")
        #expect(csv[1][2] == "1")
        let raw = try run(["--format", "csv", "--no-spreadsheet-safety"])
        #expect(parseCSV(raw.text)[1][1] == Self.name)
        let bom = try run(["--format", "csv", "--bom"])
        #expect(Array(bom.stdout.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(bom.stdout.dropFirst(3) == (try run(["--format", "csv"])).stdout)
        let json = try JSONSerialization.jsonObject(with: try run(["--format", "json"]).stdout) as! [[String: Any]]
        #expect(json.map { $0["queue"] as? String } == [Self.name])
        #expect(json[0]["contacts_queued"] as? Int == 1)
        let ndjson = try run(["--format", "ndjson"]).text.split(separator: "\n")
        #expect(ndjson.count == 1)
        let object = try JSONSerialization.jsonObject(with: Data(ndjson[0].utf8)) as! [String: Any]
        #expect(object["queue"] as? String == Self.name)
        let markdown = try run(["--format", "markdown"]).text
        #expect(markdown.contains("| =Sales, \"EU\"<br>line 2 |"))
        #expect(markdown.split(separator: "\n").count == 3)
        let table = try run(["--format", "table"]).text
        #expect(table.contains("=Sales, \"EU\" line 2"))
        #expect(table.split(separator: "\n").count == 3)
        // selecting it by name
        let selected = parseCSV(try run(["--format", "csv", "--no-spreadsheet-safety", "--queue", Self.name]).text)
        #expect(selected.count == 2 && selected[1][1] == Self.name)
    }

    @Test("SQL in --queue is just a name that matches nothing", arguments: ["x' OR 1=1 --", "Sales') OR ('1'='1", "\"]') OR 1=1 --"])
    func injection(name: String) throws {
        let db = try fixtureDatabase.get()
        for report in ["queue-duration", "abandonment", "whisper", "callbacks"] {
            let result = try ReportBinary.run(["report", report, "--db", db, "--format", "json", "--queue", name])
            #expect(result.status == 0)
            #expect(result.text == "[]\n", "\(report)")
        }
        let both = try ReportBinary.run(["report", "abandonment", "--db", db, "--format", "csv", "--queue", name, "--queue", "Sales"])
        let sales = try ReportBinary.run(["report", "abandonment", "--db", db, "--format", "csv", "--queue", "Sales"])
        #expect(both.stdout == sales.stdout)
        #expect(parseCSV(sales.text).count == 3)
    }

    @Test("repeating --queue keeps both queues")
    func repeatedQueue() throws {
        let db = try fixtureDatabase.get()
        let all = parseCSV(try ReportBinary.run(["report", "queue-duration", "--db", db, "--format", "csv", "--no-spreadsheet-safety"]).text)
        let two = parseCSV(try ReportBinary.run(["report", "queue-duration", "--db", db, "--format", "csv", "--no-spreadsheet-safety",
                                                  "--queue", "Sales", "--queue", "Support, \"Tier 2\"|EU"]).text)
        #expect(two.count == 5)
        #expect(Array(two.dropFirst()) == all.dropFirst().filter { $0[1] == "Sales" || $0[1] == "Support, \"Tier 2\"|EU" })
    }
}

@Suite("ctrdb report: documented Connect flows through the binary")
struct ConnectFlowCommandTests {
    static let folder = CTRDBBinary.packageRoot.appendingPathComponent("Tests/CTRKitTests/Fixtures/connect-flows")

    @Test("every report on the flows matches its golden file; the figures ConnectFlowTests asserts in process")
    func flows() throws {
        let scratch = try TemporaryFolder()
        let db = try ReportBinary.ingest([Self.folder.appendingPathComponent("flows.ndjson").path], into: scratch.url)
        for report in reportNames {
            let result = try ReportBinary.run(["report", report, "--db", db, "--format", "csv"])
            #expect(result.status == 0, "\(report): \(result.stderr)")
            try assertGolden(result.stdout, "reports/flows/\(report).csv")
        }
        let callbacks = parseCSV(try ReportBinary.run(["report", "callbacks", "--db", db]).text)
        #expect(callbacks == [["interval_start", "queue", "callbacks_requested", "callbacks_answered", "callback_answer_rate_pct", "avg_time_to_agent_s", "callback_attempts"],
                              ["2024-04-02T00:00:00+00:00", "Sales", "5", "4", "80.0", "867.5", "12"]])
        let queue = parseCSV(try ReportBinary.run(["report", "queue-duration", "--db", db, "--queue", "Sales"]).text)
        #expect(queue.last?.suffix(2) == ["55.56", "11.11"])
        let abandonment = parseCSV(try ReportBinary.run(["report", "abandonment", "--db", db, "--queue", "Callbacks"]).text)
        #expect(abandonment.last?.suffix(2) == ["0", "6"])

        // --day is --from D --to D+1
        let day = try ReportBinary.run(["report", "abandonment", "--db", db, "--day", "2024-04-02", "--interval", "total"])
        let range = try ReportBinary.run(["report", "abandonment", "--db", db, "--from", "2024-04-02", "--to", "2024-04-03", "--interval", "total"])
        #expect(day.status == 0 && day.stdout == range.stdout && parseCSV(day.text).count == 4)
        let other = try ReportBinary.run(["report", "abandonment", "--db", db, "--day", "2024-04-03"])
        #expect(parseCSV(other.text).count == 1, "a day without legs has the header only")

        // the next leg of G-in arrives in a later run: still a transfer, Support gets its leg
        let later = try ReportBinary.run(["ingest", "--quiet", "--db", db, Self.folder.appendingPathComponent("later.ndjson").path])
        #expect(later.status == 0)
        let chain = parseCSV(try ReportBinary.run(["chain", "G-tx", "--db", db]).text)
        #expect(chain.map { $0[1] } == ["contact_id", "G-in", "G-tx"])
        #expect(chain.map { $0[chain[0].firstIndex(of: "outcome")!] } == ["outcome", "transfer", "answered"])
        let support = parseCSV(try ReportBinary.run(["report", "queue-duration", "--db", db, "--queue", "Support"]).text)
        #expect(support.last?[2] == "2")
    }

    @Test("a version 1 database's outcomes (retries and dialled handovers stored as callback, transfer-completed legs as unresolved) are recomputed in place by the next ingest")
    func previousOutcomesUpgraded() throws {
        let scratch = try TemporaryFolder()
        let flows = Self.folder.appendingPathComponent("flows.ndjson").path
        let current = try ReportBinary.ingest([flows], into: scratch.url)
        let reference = try ReportBinary.run(["report", "abandonment", "--db", current]).stdout
        let old = scratch.file("old.db")
        try writeVersion1(old, from: current)
        // What version 1 stored for these legs: its rules made a callback leg's callback next leg a
        // request, and knew nothing of TransferCompletedTimestamp.
        let queue = try DatabaseQueue(path: old)
        try queue.write { db in
            try db.execute(sql: """
                UPDATE contacts SET outcome = 'callback' WHERE outcome = 'callback_retry';
                UPDATE contacts SET outcome = 'unresolved' WHERE contact_id = 'G-in';
                UPDATE contacts SET outcome = 'abandoned' WHERE contact_id = 'F-in';
                """)
        }
        try queue.close()
        #expect(try rows(old, "SELECT COUNT(*) FROM contacts WHERE outcome = 'callback'") == [["11"]])

        // the next nightly ingest (here with nothing new) upgrades the schema and the outcomes
        let upgrade = try ReportBinary.run(["ingest", "--quiet", "--db", old, flows])
        #expect(upgrade.status == 0, "\(upgrade.stderr)")
        #expect(try rows(old, "PRAGMA user_version") == [[String(Schema.version)]])
        #expect(try rows(old, "SELECT outcome, COUNT(*) FROM contacts WHERE outcome LIKE 'callback%' GROUP BY 1 ORDER BY 1") == [["callback", "5"], ["callback_retry", "6"]])
        #expect(try rows(old, "SELECT outcome FROM contacts WHERE contact_id IN ('F-in', 'G-in')") == [["transfer"], ["transfer"]])
        #expect(try ReportBinary.run(["report", "abandonment", "--db", old]).stdout == reference)
        #expect(try ReportBinary.run(["report", "callbacks", "--db", old]).stdout == ReportBinary.run(["report", "callbacks", "--db", current]).stdout)
    }

    @Test("--by answer through the binary: a help text that names it, and rows")
    func byAnswer() throws {
        let help = try ReportBinary.run(["help", "report"])
        #expect(help.text.contains("answer"))
        #expect(help.text.contains("--day"))
        let db = try seedDatabase.get()
        let result = try ReportBinary.run(["report", "queue-duration", "--db", db, "--by", "answer", "--interval", "1h"])
        #expect(result.status == 0)
        // CTR-2 answered 11:40:25; CTR-1 unanswered falls back to its initiation 11:35
        #expect(parseCSV(result.text).dropFirst().map { $0[0] } == ["2024-03-12T11:00:00+00:00", "2024-03-12T11:00:00+00:00"])
    }
}
