import ArgumentParser
import CTRKit
import Foundation

extension NightlyParameters.Interval: ExpressibleByArgument {}

extension CTRDB {
    struct Nightly: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ingest, then write one day's report pack: an HTML page with charts, the reports as CSV, summary.json.",
            discussion: """
                The pack goes to DIR/YYYY-MM-DD/ (written beside, then renamed) and DIR/index.html lists the days. \
                With no input it only renders. Running again with nothing new gives byte-identical files. \
                The exit code is ingest's (0, 1, 2).
                """
        )

        @Argument(help: ArgumentHelp("Files, folders, or - for standard input, to ingest first (none: only render).", valueName: "input"))
        var inputs: [String] = []

        @Option(name: .long, help: ArgumentHelp("The folder of day packs.", valueName: "dir"))
        var out: String

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var quietOption: QuietOption
        @OptionGroup var loading: LoadOptions

        @Option(name: .long, help: ArgumentHelp("The day: YYYY-MM-DD, yesterday or today, in --tz.", valueName: "date"))
        var day = "yesterday"

        @Option(name: .long, help: "Chart and CSV interval: 15m, 30m or 1h.")
        var interval = NightlyParameters.Interval.hour

        @OptionGroup var scope: ScopeOptions

        func validate() throws {
            let zone = try scope.validatedZone()
            guard CivilDay.resolve(day, in: zone) != nil else { throw ValidationError(ReportError.badDay(day).errorDescription!) }
            try loading.validate(inputs: inputs)
        }

        func run() throws {
            var parameters = NightlyParameters()
            parameters.day = day
            parameters.interval = interval
            scope.apply(to: &parameters.report)
            // Resolved once, before the ingest: a run that starts at 23:59 packs the day it meant.
            let report = NightlyReport(catalog: try loadCatalog(), parameters: parameters)
            let packDay = try report.resolvedDay()
            let status = inputs.isEmpty ? 0 : try loading.ingest(inputs, into: database.path, quiet: quietOption.quiet)
            if status == 1 { throw ExitCode(status) }
            try failingClearly {
                let files = try database.read { db in
                    try report.files(for: packDay, database: database.db, in: db)
                }
                let outcome = try DayPack(directory: out).write(day: packDay, files: files)
                if !quietOption.quiet {
                    Terminal.writeError("nightly: \(out)/\(packDay) \(outcome)\n")
                }
            }
            if status != 0 { throw ExitCode(status) }
        }
    }
}
