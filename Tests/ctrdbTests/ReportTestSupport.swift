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

    static let queries = packageRoot.appendingPathComponent("Queries").path

    /// The export the golden files are made from.
    static let fixtureExport = packageRoot.appendingPathComponent("Tests/CTRKitTests/Fixtures/reports-export")
    static var fixtureFiles: [String] {
        [fixtureExport.appendingPathComponent("part-1.ndjson").path, fixtureExport.appendingPathComponent("part-2.json.gz").path]
    }
    static let seedFile = packageRoot.appendingPathComponent("Tests/CTRKitTests/Fixtures/seed-example.json").path

    /// `ctrdb` beside the test bundle, else `.build/debug/ctrdb` of the package.
    static let executable: URL = {
        var candidates: [URL] = []
        if let main = Bundle.main.executableURL { candidates.append(main.deletingLastPathComponent().appendingPathComponent("ctrdb")) }
        if let first = CommandLine.arguments.first {
            candidates.append(URL(fileURLWithPath: first).deletingLastPathComponent().appendingPathComponent("ctrdb"))
        }
        candidates.append(packageRoot.appendingPathComponent(".build/debug/ctrdb"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates.last!
    }()

    /// Runs `ctrdb arguments...` in `directory`, stdout and stderr into files (no pipe can fill up).
    static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws -> ReportCommandResult {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ctrdb-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory ?? scratch
        var env = ProcessInfo.processInfo.environment
        env["CTRDB_QUERIES"] = queries
        env["CTRDB_DB"] = nil
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        return ReportCommandResult(stdout: try Data(contentsOf: outURL),
                                   stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self),
                                   status: process.terminationStatus)
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
