import Foundation
import Testing
import TestSupport

/// What one run of the binary did: stdout, stderr and the exit code, checked together
/// (argument-parser's `AssertExecuteCommand`).
struct CommandResult: CustomStringConvertible {
    var stdout: String
    var stderr: String
    var exitCode: Int32

    var description: String { "exit \(exitCode)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
}

enum CTRDBBinary {
    /// The built `ctrdb`: next to the test bundle, else in the package's `.build/debug`.
    static let url: URL = {
        var candidates: [URL] = []
        if let executable = Bundle.main.executableURL { candidates.append(executable.deletingLastPathComponent()) }
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
        candidates.append(packageRoot.appendingPathComponent(".build/debug"))
        for folder in candidates {
            let binary = folder.appendingPathComponent("ctrdb")
            if FileManager.default.isExecutableFile(atPath: binary.path) { return binary }
        }
        return packageRoot.appendingPathComponent(".build/debug/ctrdb")
    }()

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The canned reports of this source tree, whatever folder a test runs in.
    static let queries = packageRoot.appendingPathComponent("Queries").path

    /// The environment every run gets: no inherited database, the tree's reports, no colour.
    static func environment(_ extra: [String: String]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "CTRDB_DB")
        env["NO_COLOR"] = "1"
        env["CTRDB_QUERIES"] = queries
        for (key, value) in extra { env[key] = value }
        return env
    }

    /// Starts `ctrdb` in the background (output discarded), for tests that kill or race it.
    static func start(_ arguments: [String], in directory: URL? = nil) throws -> Process {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.environment = environment([:])
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }
}

/// Runs `ctrdb` with `arguments` in `directory`; stdin from a file when given, else empty.
/// `limitFileSizeKB` runs it under `ulimit -f`, so writes past that size fail as on a full disk.
func execute(_ arguments: [String], in directory: URL, stdin: URL? = nil, environment: [String: String] = [:],
             limitFileSizeKB: Int? = nil) throws -> CommandResult {
    let process = Process()
    if let limitFileSizeKB {
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "trap '' XFSZ; ulimit -f \(limitFileSizeKB); exec \"$0\" \"$@\"", CTRDBBinary.url.path] + arguments
    } else {
        process.executableURL = CTRDBBinary.url
        process.arguments = arguments
    }
    process.currentDirectoryURL = directory
    process.environment = CTRDBBinary.environment(environment)
    // Files, not pipes: nothing can block on a full pipe buffer.
    let out = directory.appendingPathComponent(".stdout-\(UUID().uuidString)")
    let err = directory.appendingPathComponent(".stderr-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    _ = FileManager.default.createFile(atPath: err.path, contents: nil)
    defer {
        try? FileManager.default.removeItem(at: out)
        try? FileManager.default.removeItem(at: err)
    }
    let outHandle = try FileHandle(forWritingTo: out)
    let errHandle = try FileHandle(forWritingTo: err)
    process.standardOutput = outHandle
    process.standardError = errHandle
    if let stdin {
        process.standardInput = try FileHandle(forReadingFrom: stdin)
    } else {
        process.standardInput = FileHandle.nullDevice
    }
    try process.run()
    process.waitUntilExit()
    try outHandle.close()
    try errHandle.close()
    return CommandResult(stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
                         stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self),
                         exitCode: process.terminationStatus)
}

/// Runs the command and checks its exit code, and its stdout when `expecting` is given.
@discardableResult
func AssertExecuteCommand(_ arguments: [String], in directory: URL, stdin: URL? = nil, environment: [String: String] = [:],
                          exitCode: Int32 = 0, expecting stdout: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> CommandResult {
    let result = try execute(arguments, in: directory, stdin: stdin, environment: environment)
    #expect(result.exitCode == exitCode, "\(arguments.joined(separator: " "))\n\(result)", sourceLocation: sourceLocation)
    if let stdout {
        #expect(result.stdout == stdout, "\(arguments.joined(separator: " "))\n\(result)", sourceLocation: sourceLocation)
    }
    return result
}

/// A scratch folder for a test: the commands run in it.
typealias Sandbox = TemporaryFolder

enum Seed {
    static let ctr1 = SeedContacts.ctr1
    static let ctr2 = SeedContacts.ctr2

    /// The seed example, from the unit tests' fixtures (one copy in the repository).
    static let file = CTRDBBinary.packageRoot.appendingPathComponent("Tests/CTRKitTests/Fixtures/seed-example.json").path

    static func bytes() throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: file))) }
}

/// Golden files live in Tests/ctrdbTests/Golden (the reports' under reports/), compared byte
/// for byte; `CTRDB_RECORD_GOLDEN=1` rewrites them.
func assertGolden(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    try assertGolden(Data(actual.utf8), name, sourceLocation: sourceLocation)
}

func assertGolden(_ actual: Data, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let url = CTRDBBinary.packageRoot.appendingPathComponent("Tests/ctrdbTests/Golden").appendingPathComponent(name)
    if ProcessInfo.processInfo.environment["CTRDB_RECORD_GOLDEN"] == "1" {
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
