import ArgumentParser
import CTRKit
import Foundation
import GRDB

/// `--db`, shared by every command that opens the database.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The SQLite database file.", discussion: "Defaults to $CTRDB_DB, else ctr.db in the current folder.", valueName: "file"))
    var db: String?

    var path: String {
        db ?? ProcessInfo.processInfo.environment["CTRDB_DB"].flatMap { $0.isEmpty ? nil : $0 } ?? "ctr.db"
    }

    /// Runs `body` on the database, opened read-only (commands that only read use this).
    @discardableResult
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try QueryRunner.openReadOnly(path).read(body)
    }
}

extension OutputFormat: ExpressibleByArgument {}
extension ExportLayout: ExpressibleByArgument {}

/// `--format`, `--output` and the CSV switches, shared by every command that prints rows.
struct OutputOptionGroup: ParsableArguments {
    @Option(name: .long, help: "Output format: table (the default on a terminal), csv (the default otherwise), json, ndjson, markdown.")
    var format: OutputFormat?

    @Option(name: [.short, .long], help: ArgumentHelp("Write to this file (atomically) instead of standard output.", valueName: "file"))
    var output: String?

    @Flag(name: .long, help: "CSV: keep text cells that start with = + - @ as they are (by default they get a leading ' so spreadsheets do not run them).")
    var noSpreadsheetSafety = false

    @Flag(name: .long, help: "CSV: start with a UTF-8 byte order mark, for Excel.")
    var bom = false

    var options: CTRKit.OutputOptions {
        let toTerminal = output == nil && isatty(STDOUT_FILENO) == 1
        var options = CTRKit.OutputOptions(format: format ?? (toTerminal ? .table : .csv))
        options.spreadsheetSafe = !noSpreadsheetSafety
        options.byteOrderMark = bom
        if toTerminal { options.width = Terminal.columns }
        return options
    }

    /// Runs `body` with a writer on the chosen destination; a file appears only when complete.
    @discardableResult
    func withWriter<T>(_ body: (RowWriter) throws -> T) throws -> T {
        if let output {
            let sink = try AtomicFileSink(path: output)
            let result = try body(options.makeWriter(sink))
            try sink.commit()
            return result
        }
        let sink = StandardOutputSink()
        let result = try body(options.makeWriter(sink))
        try sink.flush()
        return result
    }
}

/// `--quiet`, shared by commands that report on stderr.
struct QuietOption: ParsableArguments {
    @Flag(name: [.short, .long], help: "Print nothing but errors.")
    var quiet = false
}
