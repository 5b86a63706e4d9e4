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
    /// The export the golden files are made from.
    static let fixtureExport = CTRDBBinary.packageRoot.appendingPathComponent("Tests/CTRKitTests/Fixtures/reports-export")
    static var fixtureFiles: [String] {
        [fixtureExport.appendingPathComponent("part-1.ndjson").path, fixtureExport.appendingPathComponent("part-2.json.gz").path]
    }
    static let seedFile = Seed.file

    /// Runs `ctrdb arguments...` through the suite's one runner (paths in the arguments are absolute).
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> ReportCommandResult {
        let result = try execute(arguments, in: FileManager.default.temporaryDirectory, environment: environment)
        return ReportCommandResult(stdout: Data(result.stdout.utf8), stderr: result.stderr, status: result.exitCode)
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
