import ArgumentParser
import CTRKit
import Foundation

extension ReportInterval: ExpressibleByArgument {}
extension ReportParameters.Placement: ExpressibleByArgument {}

/// Finds `Queries/` or fails with a message saying how to point at it.
func loadCatalog() throws -> ReportCatalog {
    guard let folder = ReportCatalog.locate() else {
        throw ReportError.queriesNotFound(searched: ["$CTRDB_QUERIES", "../share/ctrdb/Queries beside the binary", "./Queries"])
    }
    return try ReportCatalog(folder: folder)
}

extension CTRDB {
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run one canned report (see `ctrdb reports`).",
            discussion: "Intervals follow the time zone's civil calendar; interval_start carries the offset. --from and --to are read in the report time zone."
        )

        @Argument(help: "The report: one of `ctrdb reports`, each a file of Queries/.")
        var name: String

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptionGroup
        @OptionGroup var options: ReportOptions

        func validate() throws { try options.validate() }

        func run() throws {
            try failingClearly {
                let catalog = try loadCatalog()
                let report = try catalog.report(named: name)
                let parameters = options.parameters
                try database.read { db in
                    try output.withWriter { writer in
                        try ReportRunner(catalog: catalog).run(report, parameters: parameters, in: db, to: writer)
                    }
                }
            }
        }
    }

    /// The options every report takes (SPEC section 1), shared by `report` and `nightly`.
    struct ReportOptions: ParsableArguments {
        @Option(name: .long, help: ArgumentHelp("One civil day in --tz: YYYY-MM-DD, yesterday or today (instead of --from/--to).", valueName: "date"))
        var day: String?

        @Option(name: .long, help: ArgumentHelp("Inclusive start: YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS], in --tz.", valueName: "date-or-time"))
        var from: String?

        @Option(name: .long, help: ArgumentHelp("Exclusive end, like --from.", valueName: "date-or-time"))
        var to: String?

        @Option(name: .long, help: "Interval: 15m, 30m, 1h, 1d, 1w (weeks start on Monday) or total.")
        var interval = ReportInterval.day

        @Option(name: .long, help: "Which timestamp places a leg in an interval: disconnect (as Amazon Connect does), enqueue, initiation or answer (connected to agent).")
        var by = ReportParameters.Placement.disconnect

        @OptionGroup var scope: ScopeOptions

        /// Bad values are bad usage (64); only a well-formed but empty range fails later (1).
        func validate() throws {
            let zone = try scope.validatedZone()
            let bucketer = IntervalBucketer(interval: interval, timeZone: zone)
            for (option, value) in [("--from", from), ("--to", to)] {
                if let value, bucketer.parseBoundary(value) == nil {
                    throw ValidationError(ReportError.badBoundary(option: option, value: value).errorDescription!)
                }
            }
            if let day {
                guard from == nil, to == nil else { throw ValidationError(ReportError.dayWithRange.errorDescription!) }
                guard CivilDay.resolve(day, in: zone) != nil else { throw ValidationError(ReportError.badDay(day).errorDescription!) }
            }
        }

        var parameters: ReportParameters {
            var parameters = ReportParameters()
            parameters.day = day
            parameters.from = from
            parameters.to = to
            parameters.interval = interval
            parameters.placement = by
            scope.apply(to: &parameters)
            return parameters
        }
    }

    /// The time zone, queues and thresholds, shared by `report` and `nightly`.
    struct ScopeOptions: ParsableArguments {
        @Option(name: .long, help: ArgumentHelp("IANA time zone for intervals, --day and --from/--to.", valueName: "zone"))
        var tz = "UTC"

        @Option(name: .long, help: ArgumentHelp("Only this queue; repeat for several.", valueName: "name"))
        var queue: [String] = []

        @Option(name: .long, help: ArgumentHelp("Service-level threshold in seconds.", valueName: "seconds"))
        var sl = 20

        @Option(name: .long, help: ArgumentHelp("Short-abandon threshold in seconds.", valueName: "seconds"))
        var shortAbandon = 5

        func apply(to parameters: inout ReportParameters) {
            parameters.timeZone = tz
            parameters.queues = queue
            parameters.serviceLevelSeconds = sl
            parameters.shortAbandonSeconds = shortAbandon
        }

        /// The zone of --tz; a bad zone or a negative threshold is bad usage (64).
        func validatedZone() throws -> TimeZone {
            guard let zone = TimeZone(identifier: tz) else { throw ValidationError(ReportError.badTimeZone(tz).errorDescription!) }
            guard sl >= 0, shortAbandon >= 0 else { throw ValidationError("--sl and --short-abandon take a number of seconds, 0 or more") }
            return zone
        }
    }

    struct Reports: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the canned reports, one line each.")

        func run() throws {
            try failingClearly {
                let catalog = try loadCatalog()
                let width = catalog.reports.map(\.name.count).max() ?? 0
                var text = ""
                for report in catalog.reports {
                    text += report.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + report.description + "\n"
                }
                let sink = StandardOutputSink()
                try sink.write(text)
                try sink.flush()
            }
        }
    }
}
