import ArgumentParser
import CTRKit
import Foundation
import Logging

@main
struct CTRDB: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctrdb",
        abstract: "Load Amazon Connect contact records into SQLite and report on them.",
        discussion: "Exit codes: 0 success, 1 failure, 2 finished with rejected records or partly readable files, 64 bad usage.",
        version: CTRKitVersion.string,
        subcommands: [Ingest.self, Report.self, Reports.self, Chain.self, SQL.self, Export.self, Generate.self, Nightly.self, Lake.self]
    )

    static func main() {
        DatabaseOpener.configureSQLiteForThisProcess()
        main(nil)
    }
}
