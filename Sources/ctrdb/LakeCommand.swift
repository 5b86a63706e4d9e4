import ArgumentParser
import CTRKit
import Foundation

extension ParquetCompression: ExpressibleByArgument {}

extension CTRDB {
    struct Lake: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write or bring up to date a Hive-partitioned Parquet copy for Spark, Athena, Trino and DuckDB.",
            discussion: """
                Writes DIR/legs/, DIR/journeys/ and DIR/callback_requests/ as dt=YYYY-MM-DD partitions (UTC) and \
                DIR/_ctrdb_lake.json. A later run rewrites only the partitions whose rows changed. DIR must be new, \
                empty or a ctrdb lake.
                """
        )

        @Argument(help: ArgumentHelp("The lake folder (created when missing).", valueName: "dir"))
        var folder: String

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var quietOption: QuietOption

        @Option(name: .long, help: "Parquet page compression.")
        var compression = ParquetCompression.zstd

        @Flag(name: .long, help: "Rewrite every partition, not only those that changed.")
        var full = false

        func run() throws {
            try failingClearly {
                let start = Date()
                let catalog = try loadCatalog()
                let result = try CTRKit.Lake(folder: folder).export(databasePath: database.path, catalog: catalog,
                                                                    compression: compression, full: full)
                if !quietOption.quiet {
                    let tables = ["legs", "journeys", "callback_requests"].map { name in
                        "\(name) \(result.written[name] ?? 0) (\(result.rows[name] ?? 0) rows)"
                    }
                    let removed = result.removed.values.reduce(0, +)
                    Terminal.writeError("lake \(folder): \(result.full ? "full export" : "incremental"): partitions written: \(tables.joined(separator: ", "))"
                        + (removed > 0 ? "; \(removed) emptied partitions removed" : "")
                        + "; \(result.bytes) bytes in \(String(format: "%.1f", Date().timeIntervalSince(start))) s\n")
                    if result.skippedRows > 0 {
                        Terminal.writeError("ctrdb: warning: \(result.skippedRows) rows left out: their partition timestamp is not a UTC date\n")
                    }
                }
            }
        }
    }
}
