import Foundation
import Testing
import TestSupport

/// The live progress line appears on stderr only when stderr is a terminal, and never with
/// `--quiet`. A terminal is made with `script(1)`, which runs the command on a pseudo-terminal.
@Suite(.serialized) struct ProgressLineTests {
    /// An export long enough to be read for more than the 200 ms between two progress lines.
    private func export(in box: Sandbox) throws {
        let pad = String(repeating: "p", count: 2000)
        for file in 0..<40 {
            var text = ""
            for n in 0..<400 {
                text += #"{"ContactId":"c-\#(file)-\#(n)","LastUpdateTimestamp":"2024-03-12T10:00:00Z","Attributes":{"pad":"\#(pad)"}}"#
            }
            try box.write(String(format: "export/%02d.json", file), text)
        }
    }

    private func onTerminal(_ arguments: String, in box: Sandbox) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", "\(CTRDBBinary.url.path) \(arguments)", box.url.appendingPathComponent("typescript").path]
        process.currentDirectoryURL = box.url
        process.environment = CTRDBBinary.environment([:])
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: try Data(contentsOf: box.url.appendingPathComponent("typescript")), as: UTF8.self)
    }

    @Test func aTerminalSeesBytesRecordsPerSecondAndTimeLeft() throws {
        let box = try Sandbox()
        try export(in: box)
        let screen = try onTerminal("ingest export --db ctr.db", in: box)
        #expect(screen.contains("\r\u{1B}[K"), "\(screen.suffix(400))")
        #expect(screen.contains("records/s"), "\(screen.suffix(400))")
        #expect(screen.contains("ETA"), "\(screen.suffix(400))")
        #expect(screen.contains("ingested 40 files, 16000 records"))
    }

    @Test func quietAndPipesGetNoProgress() throws {
        let box = try Sandbox()
        try export(in: box)
        let quiet = try onTerminal("ingest export --db quiet.db --quiet", in: box)
        #expect(!quiet.contains("records/s"))
        #expect(!quiet.contains("ingested"))
        let piped = try execute(["ingest", "export", "--db", "piped.db"], in: box.url)
        #expect(!piped.stderr.contains("records/s"))
        #expect(piped.stderr.contains("ingested 40 files, 16000 records"))
    }

    @Test func nightlyShowsTheIngestProgressOnATerminalAndQuietSilencesIt() throws {
        let box = try Sandbox()
        try export(in: box)
        let screen = try onTerminal("nightly export --db ctr.db --out packs --day 2024-03-12", in: box)
        #expect(screen.contains("records/s"), "\(screen.suffix(400))")
        #expect(screen.contains("ingested 40 files, 16000 records"), "\(screen.suffix(400))")
        #expect(screen.contains("nightly: packs/2024-03-12 created"), "\(screen.suffix(400))")
        let quiet = try onTerminal("nightly export --db quiet.db --out quiet --day 2024-03-12 --quiet", in: box)
        #expect(!quiet.contains("records/s") && !quiet.contains("ingested") && !quiet.contains("nightly:"), "\(quiet.suffix(400))")
        #expect(FileManager.default.fileExists(atPath: box.file("quiet/2024-03-12/summary.json")))
    }
}
