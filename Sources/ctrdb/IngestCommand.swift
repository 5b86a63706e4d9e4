import ArgumentParser
import CTRKit
import Foundation
import Logging

extension CTRDB {
    struct Ingest: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load CTR files, folders (walked recursively) or - (standard input) into the database.",
            discussion: "Gzip is detected by content. Unchanged files are skipped. Exit 2 when records were rejected or a file was only partly readable (see the rejects table)."
        )

        @Argument(help: ArgumentHelp("Files, folders, or - for standard input.", valueName: "input"))
        var inputs: [String]

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var quietOption: QuietOption
        @OptionGroup var loading: LoadOptions

        func validate() throws {
            guard !inputs.isEmpty else { throw ValidationError("name at least one file or folder, or - for standard input") }
            try loading.validate(inputs: inputs)
        }

        func run() throws {
            let status = try loading.ingest(inputs, into: database.path, quiet: quietOption.quiet)
            if status != 0 { throw ExitCode(status) }
        }
    }
}

/// How `ingest` and `nightly` load their inputs.
struct LoadOptions: ParsableArguments {
    @Option(name: .long, help: "Largest record accepted, in bytes; a longer one is rejected without being read into memory.")
    var maxRecordSize = RecordFramer.defaultMaxRecordSize

    /// The write-ahead log size at which a batch commits early (tests make it small).
    @Option(name: .long, help: .hidden)
    var logLimitMb: Int?

    @Flag(name: .long, help: "Also list skipped files.")
    var verbose = false

    @Flag(name: .long, help: "Replace customer phone numbers with a keyed hash (key from --redact-key-file or CTRDB_REDACT_KEY, never stored). A database written this way stays redacted.")
    var redactPhones = false

    @Option(name: .long, help: ArgumentHelp("File holding the redaction key.", valueName: "file"))
    var redactKeyFile: String?

    func validate(inputs: [String]) throws {
        guard inputs.filter({ $0 == "-" }).count <= 1 else { throw ValidationError("standard input (-) can be named only once") }
        guard maxRecordSize >= 1024 else { throw ValidationError("--max-record-size must be at least 1024 bytes") }
    }

    /// Loads `inputs` with a progress line on a terminal, prints the diagnostics and the
    /// summary on stderr (only errors with `quiet`), and returns the exit code (0, 1 or 2).
    func ingest(_ inputs: [String], into databasePath: String, quiet: Bool) throws -> Int32 {
        var status: Int32 = 0
        try failingClearly {
            var options = IngestOptions()
            options.maxRecordSize = maxRecordSize
            options.redactPhones = redactPhones
            if let logLimitMb { options.logLimitBytes = Int64(logLimitMb) << 20 }
            if let redactKeyFile {
                options.redactor = try PhoneRedactor(keyFile: redactKeyFile)
            } else if let key = ProcessInfo.processInfo.environment["CTRDB_REDACT_KEY"], !key.isEmpty {
                options.redactor = try PhoneRedactor(keyMaterial: key)
            }
            var logger = Logger(label: "ctrdb.ingest")
            logger.logLevel = verbose ? .info : .warning
            let ingest = CTRKit.Ingest(databasePath: databasePath, options: options, logger: logger)
            let showProgress = !quiet && Terminal.standardErrorIsTerminal
            let summary: IngestSummary
            do {
                // The progress line is cleared before any message, error or not.
                defer { if showProgress { ProgressLine.clear() } }
                summary = try ingest.run(inputs: inputs, progress: showProgress ? ProgressLine.draw : nil)
            }
            for diagnostic in summary.diagnostics where diagnostic.severity == .error || !quiet {
                Terminal.writeError("ctrdb: \(diagnostic)\n")
            }
            if !quiet {
                Terminal.writeError(summary.line + "\n")
            }
            status = summary.exitCode
        }
        return status
    }
}

/// The live progress line on a terminal: bytes, records per second and time left.
enum ProgressLine {
    static func draw(_ p: IngestProgress) {
        let rate = p.elapsed > 0 ? Double(p.records) / p.elapsed : 0
        let bytesRate = p.elapsed > 0 ? Double(p.bytesDone) / p.elapsed : 0
        let eta = bytesRate > 0 ? Double(p.bytesTotal - p.bytesDone) / bytesRate : 0
        let line = String(format: "file %d/%d  %@ / %@  %.0f records/s  ETA %.0f s", p.filesDone + 1, p.filesTotal,
                          megabytes(p.bytesDone), megabytes(p.bytesTotal), rate, max(0, eta))
        Terminal.writeError("\r\u{1B}[K" + line)
    }

    static func clear() { Terminal.writeError("\r\u{1B}[K") }

    private static func megabytes(_ bytes: Int64) -> String { String(format: "%.1f MB", Double(bytes) / 1_000_000) }
}
