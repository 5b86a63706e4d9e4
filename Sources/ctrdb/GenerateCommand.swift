import ArgumentParser
import CTRKit
import Foundation

extension CTRDB {
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a realistic synthetic CTR export (for demos, tests and benchmarks).",
            discussion: """
                Objects go under OUT/YYYY/MM/DD/HH/ by arrival hour (UTC), named like Firehose's. The same \
                options and seed always give byte-identical files. Prints a one-line summary on standard error.
                """
        )

        @Option(name: .long, help: ArgumentHelp("Folder to write into; created if missing, must be empty.", valueName: "dir"))
        var out: String

        @Option(name: .long, help: "Number of customer journeys (one or more legs each).")
        var journeys = 1000

        @Option(name: .long, help: "Number of days the journeys are spread over.")
        var days = 1

        @Option(name: .long, help: "Seed of the random generator: the same seed gives the same export.")
        var seed: UInt64 = 1

        @Option(name: .long, help: "firehose: gzip objects of concatenated records; mixed: also NDJSON, arrays, pretty, plain and multi-member gzip objects.")
        var layout: ExportLayout = .firehose

        @Option(name: .long, help: ArgumentHelp("First day of the window (UTC).", valueName: "YYYY-MM-DD"))
        var startDate = "2024-03-04"

        @Flag(name: .long, help: "Also print how often each scenario and delivery quirk occurred.")
        var stats = false

        @OptionGroup var quietOption: QuietOption

        var options: GenerateOptions {
            var options = GenerateOptions(outputDirectory: out)
            options.journeys = journeys
            options.days = days
            options.seed = seed
            options.layout = layout
            options.startDate = startDate
            return options
        }

        func validate() throws {
            do {
                try options.validate()
            } catch let error as GenerateError {
                throw ValidationError(error.errorDescription ?? "\(error)")
            }
        }

        func run() throws {
            try failingClearly {
                let summary = try ExportGenerator(options: options).run()
                guard !quietOption.quiet else { return }
                Terminal.writeError(summary.line + "\n")
                if stats {
                    for line in summary.stats.lines { Terminal.writeError("  " + line + "\n") }
                }
            }
        }
    }
}
