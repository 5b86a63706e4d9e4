import Foundation
import Testing

/// What one run of the binary gave: stdout (bytes), stderr and the exit code together.
struct ReportCommandResult {
    var stdout: Data
    var stderr: String
    var status: Int32

    var text: String { String(decoding: stdout, as: UTF8.self) }
}

/// Runs the real `ctrdb` binary for the report tests.
enum ReportBinary {
    /// The package root, from this file's place in it.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let queries = CTRDBBinary.queries

    /// The export the golden files are made from.
    static let fixtureExport = packageRoot.appendingPathComponent("Tests/CTRKitTests/Fixtures/reports-export")
    static var fixtureFiles: [String] {
        [fixtureExport.appendingPathComponent("part-1.ndjson").path, fixtureExport.appendingPathComponent("part-2.json.gz").path]
    }
    static let seedFile = packageRoot.appendingPathComponent("Tests/CTRKitTests/Fixtures/seed-example.json").path

    /// Runs `ctrdb arguments...` in `directory` (a scratch folder when nil), through the suite's one runner.
    static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws -> ReportCommandResult {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ctrdb-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let result = try execute(arguments, in: directory ?? scratch, environment: environment)
        return ReportCommandResult(stdout: Data(result.stdout.utf8), stderr: result.stderr, status: result.exitCode)
    }

    /// A fresh temporary folder, removed by the caller.
    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ctrdb-report-cmd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// A database made by `ctrdb ingest` from `inputs`; returns its path. Exit 0 or 2 (rejects) is fine.
    static func ingest(_ inputs: [String], into folder: URL) throws -> String {
        let db = folder.appendingPathComponent("ctr.db").path
        let result = try run(["ingest", "--quiet", "--db", db] + inputs)
        guard result.status == 0 || result.status == 2 else {
            Issue.record("ingest failed (\(result.status)): \(result.stderr)")
            return db
        }
        return db
    }
}

/// Golden files under Tests/ctrdbTests/Golden/reports/: compared byte for byte, re-recorded
/// when CTRDB_RECORD_GOLDEN=1.
enum ReportGolden {
    static let folder = ReportBinary.packageRoot.appendingPathComponent("Tests/ctrdbTests/Golden/reports")

    static var recording: Bool { ProcessInfo.processInfo.environment["CTRDB_RECORD_GOLDEN"] == "1" }

    static func check(_ actual: Data, named name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = folder.appendingPathComponent(name)
        if recording {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try actual.write(to: url)
            return
        }
        guard let expected = FileManager.default.contents(atPath: url.path) else {
            Issue.record("no golden file \(url.path); run with CTRDB_RECORD_GOLDEN=1 to record it", sourceLocation: sourceLocation)
            return
        }
        if expected != actual {
            Issue.record("""
                \(name) differs from its golden file (re-record with CTRDB_RECORD_GOLDEN=1 if the change is intended)
                --- expected
                \(String(decoding: expected, as: UTF8.self))
                --- actual
                \(String(decoding: actual, as: UTF8.self))
                """, sourceLocation: sourceLocation)
        }
    }
}
