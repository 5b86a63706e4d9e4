import Foundation
import GRDB
import Testing
import TestSupport

/// Failure modes of a nightly run, through the real binary: a killed run, two runs at once,
/// reports during a run, a full disk, files that vanish, databases that are not databases.
@Suite(.serialized)
struct ReliabilityTests {
    // MARK: - Crash safety

    @Test func killedRunsFinishToTheSameDatabase() throws {
        let folder = try TemporaryFolder()
        let inputs = try folder.export(files: 40, recordsPerFile: 300)
        let clean = folder.file("clean.db")
        #expect(try ctrdb(["ingest", inputs, "--db", clean, "--quiet"]).status == 0)
        let expected = try contents(of: clean)

        var killedMidRun = 0
        for delay in [0.05, 0.15, 0.3, 0.6, 1.0] {
            let db = folder.file("killed-\(delay).db")
            let process = try CTRDBBinary.start(["ingest", inputs, "--db", db, "--quiet"])
            Thread.sleep(forTimeInterval: delay)
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                killedMidRun += 1
            }
            process.waitUntilExit()
            // Run again: it finishes the job.
            let rerun = try ctrdb(["ingest", inputs, "--db", db, "--quiet"])
            #expect(rerun.status == 0, "rerun after kill at \(delay) s: \(rerun.stderr)")
            #expect(try integrity(of: db) == "ok")
            #expect(try contents(of: db) == expected, "database after a kill at \(delay) s differs from a clean run")
        }
        #expect(killedMidRun >= 2, "the run was too short to be killed in the middle")
    }

    /// A new database is built aside (`AsideBuild`): a run killed while building leaves no
    /// database at the path, only its build, which the next run starts again; never part of one.
    @Test func aKilledFirstLoadLeavesNoPartOfADatabase() throws {
        let folder = try TemporaryFolder()
        let inputs = try folder.export(files: 40, recordsPerFile: 300)
        let clean = folder.file("clean.db")
        #expect(try ctrdb(["ingest", inputs, "--db", clean, "--quiet"]).status == 0)
        let expected = try contents(of: clean)

        var killedWhileBuilding = 0
        for delay in [0.1, 0.3, 0.6] {
            let db = folder.file("first-\(delay).db")
            let process = try CTRDBBinary.start(["ingest", inputs, "--db", db, "--quiet"])
            Thread.sleep(forTimeInterval: delay)
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            if FileManager.default.fileExists(atPath: db) {
                #expect(try contents(of: db) == expected, "the database at the path after a kill at \(delay) s is not the whole load")
            } else {
                killedWhileBuilding += 1
                #expect(FileManager.default.fileExists(atPath: db + ".building"))
            }
            let rerun = try ctrdb(["ingest", inputs, "--db", db, "--quiet"])
            #expect(rerun.status == 0, "rerun after kill at \(delay) s: \(rerun.stderr)")
            #expect(try integrity(of: db) == "ok")
            #expect(try contents(of: db) == expected)
            #expect(!FileManager.default.fileExists(atPath: db + ".building"))
        }
        #expect(killedWhileBuilding >= 1, "no run was killed while building")
    }

    // MARK: - Concurrency

    @Test func twoIngestsAtOnceEqualOneCleanRun() throws {
        let folder = try TemporaryFolder()
        let inputs = try folder.export(files: 30, recordsPerFile: 200)
        let clean = folder.file("clean.db")
        #expect(try ctrdb(["ingest", inputs, "--db", clean, "--quiet"]).status == 0)

        let db = folder.file("shared.db")
        let first = try CTRDBBinary.start(["ingest", inputs, "--db", db, "--quiet"])
        let second = try CTRDBBinary.start(["ingest", inputs, "--db", db, "--quiet"])
        first.waitUntilExit()
        second.waitUntilExit()
        #expect(first.terminationStatus == 0)
        #expect(second.terminationStatus == 0)
        #expect(try integrity(of: db) == "ok")
        #expect(try contents(of: db) == contents(of: clean))
    }

    @Test func reportsKeepWorkingWhileAnIngestWrites() throws {
        let folder = try TemporaryFolder()
        let inputs = try folder.export(files: 40, recordsPerFile: 300)
        let db = folder.file("busy.db")
        // A first file so that the database exists before the long run starts.
        #expect(try ctrdb(["ingest", inputs + "/000.json", "--db", db, "--quiet"]).status == 0)
        let writer = try CTRDBBinary.start(["ingest", inputs, "--db", db, "--quiet"])
        var reads = 0
        var readsWhileWriting = 0
        while writer.isRunning || reads == 0 {
            let writing = writer.isRunning
            let report = try ctrdb(["report", "quality", "--db", db, "--format", "csv"])
            #expect(report.status == 0, "report during ingest: \(report.stderr)")
            #expect(report.stdout.hasPrefix("check,count,example_contact_id"))
            let sql = try ctrdb(["sql", "SELECT COUNT(*) FROM contacts", "--db", db])
            #expect(sql.status == 0, "sql during ingest: \(sql.stderr)")
            reads += 1
            // Started and finished while the ingest was still running: the reads overlapped the writes.
            if writing && writer.isRunning { readsWhileWriting += 1 }
        }
        writer.waitUntilExit()
        #expect(writer.terminationStatus == 0)
        #expect(readsWhileWriting >= 1, "no report ran while the ingest was writing (\(reads) reads in all)")
    }

    // MARK: - Files and disks

    @Test func fullDiskFailsCleanlyAndKeepsTheDatabaseConsistent() throws {
        let folder = try TemporaryFolder()
        let inputs = try folder.export(files: 20, recordsPerFile: 300)
        let db = folder.file("full.db")
        // RLIMIT_FSIZE makes writes past 3 MB fail with EFBIG, as a full disk would.
        let limited = try ctrdb(["ingest", inputs, "--db", db], limitFileSizeKB: 3000)
        #expect(limited.status == 1, "exit \(limited.status): \(limited.stderr)")
        #expect(limited.stderr.contains("error"))
        #expect(limited.stderr.contains("disk"), "\(limited.stderr)")
        #expect(limited.stderr.contains("free space"), "the message says what to do: \(limited.stderr)")
        #expect(try integrity(of: db) == "ok")
        // With room again, the same command completes the job.
        #expect(try ctrdb(["ingest", inputs, "--db", db, "--quiet"]).status == 0)
        let clean = folder.file("clean.db")
        #expect(try ctrdb(["ingest", inputs, "--db", clean, "--quiet"]).status == 0)
        #expect(try contents(of: db) == contents(of: clean))
    }

    @Test func aFileThatVanishesFailsAloneAndTheOthersAreLoaded() throws {
        let folder = try TemporaryFolder()
        let inputs = try folder.export(files: 3, recordsPerFile: 5)
        let db = folder.file("v.db")
        // A dangling symbolic link in the folder stands for a file removed between listing and reading.
        try FileManager.default.createSymbolicLink(atPath: inputs + "/001b.json", withDestinationPath: inputs + "/gone.json")
        let result = try ctrdb(["ingest", inputs, "--db", db])
        #expect(result.status == 1)
        #expect(result.stderr.contains("001b.json"), "\(result.stderr)")
        #expect(result.stderr.contains("run again"), "\(result.stderr)")
        #expect(try rows(db, "SELECT COUNT(*) FROM ingest_files") == [["3"]])
    }

    @Test func aDatabasePathThatIsNotADatabaseIsAClearError() throws {
        let folder = try TemporaryFolder()
        let inputs = try folder.export(files: 1, recordsPerFile: 3)
        let notADatabase = folder.file("notes.txt")
        try "these are not the records you are looking for\n".write(toFile: notADatabase, atomically: true, encoding: .utf8)
        let before = try Data(contentsOf: URL(fileURLWithPath: notADatabase))
        let result = try ctrdb(["ingest", inputs, "--db", notADatabase])
        #expect(result.status == 1)
        #expect(result.stderr.contains("not a database"), "\(result.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: notADatabase)) == before)

        let directory = try ctrdb(["ingest", inputs, "--db", folder.path])
        #expect(directory.status == 1)
        #expect(directory.stderr.contains("error"))
    }

    @Test func aReadOnlyDatabaseIsRefusedWithoutDamage() throws {
        let folder = try TemporaryFolder()
        let inputs = try folder.export(files: 2, recordsPerFile: 3)
        let db = folder.file("ro.db")
        #expect(try ctrdb(["ingest", inputs + "/000.json", "--db", db, "--quiet"]).status == 0)
        // Root ignores file modes, so open the database through a read-only URI instead.
        let result = try ctrdb(["ingest", inputs, "--db", "file:\(db)?mode=ro"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("error"))
        #expect(try integrity(of: db) == "ok")
    }
}

// MARK: - Helpers

/// The tables a run must leave the same, without the run's own timestamps.
private func contents(of db: String) throws -> [String: [[String]]] {
    [
        "contacts": try rows(db, "SELECT * FROM contacts ORDER BY contact_id"),
        "contact_versions": try rows(db, "SELECT contact_id, last_update_ts, content_hash, deliveries, raw_json FROM contact_versions ORDER BY contact_id, content_hash"),
        "ingest_files": try rows(db, "SELECT path, size, content_hash, records, rejects, status, error FROM ingest_files ORDER BY path"),
        "rejects": try rows(db, "SELECT source_file, byte_offset, reason FROM rejects ORDER BY source_file, byte_offset"),
        "pending": try rows(db, "SELECT COUNT(*) FROM pending_chain"),
    ]
}

private func integrity(of db: String) throws -> String {
    try rows(db, "PRAGMA integrity_check").first?.first ?? ""
}

extension TemporaryFolder {
    /// A synthetic multi-file export in the folder: chains split over files, re-deliveries.
    fileprivate func export(files: Int, recordsPerFile: Int) throws -> String {
        let folder = file("export")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for file in 0..<files {
            var text = ""
            for index in 0..<recordsPerFile {
                let n = file * recordsPerFile + index
                // Every third record is the callback leg of the one before; every fifth file re-delivers its first record.
                let previous = n % 3 == 2 ? "\"leg-\(n - 1)\"" : "null"
                let method = n % 3 == 2 ? "CALLBACK" : "INBOUND"
                let next = n % 3 == 1 ? "\"leg-\(n + 1)\"" : "null"
                text += #"{"ContactId":"leg-\#(n)","InitiationMethod":"\#(method)","PreviousContactId":\#(previous),"NextContactId":\#(next),"InitiationTimestamp":"2024-03-12T10:00:00Z","DisconnectTimestamp":"2024-03-12T10:05:00Z","LastUpdateTimestamp":"2024-03-12T10:06:00Z","Queue":{"Name":"Q\#(n % 4)","EnqueueTimestamp":"2024-03-12T10:00:10Z","DequeueTimestamp":"2024-03-12T10:01:00Z","Duration":50},"Attributes":{"n":"\#(n)","pad":"\#(String(repeating: "x", count: 1500))"}}"#
            }
            if file % 5 == 4 { text += #"{"ContactId":"leg-0","LastUpdateTimestamp":"2024-03-13T00:00:00Z","InitiationMethod":"INBOUND"}"# }
            try text.write(toFile: folder + String(format: "/%03d.json", file), atomically: true, encoding: .utf8)
        }
        return folder
    }
}

/// Runs the binary in a scratch folder with the suite's one runner.
private func ctrdb(_ arguments: [String], limitFileSizeKB: Int? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
    let result = try execute(arguments, in: FileManager.default.temporaryDirectory, limitFileSizeKB: limitFileSizeKB)
    return (result.exitCode, result.stdout, result.stderr)
}
