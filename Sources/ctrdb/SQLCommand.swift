import ArgumentParser
import CTRKit
import Foundation
import GRDB

extension CTRDB {
    struct SQL: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sql",
            abstract: "Run one read-only SQL statement and print its rows.",
            discussion: "The database is opened read-only: a statement that writes fails with exit 1."
        )

        @Argument(help: ArgumentHelp("One SQL statement, for example \"SELECT * FROM journeys LIMIT 10\".", valueName: "sql"))
        var statement: String

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptionGroup

        func run() throws {
            try failingClearly {
                do {
                    try database.read { db in
                        try output.withWriter { writer in try QueryRunner.run(statement, in: db, to: writer) }
                    }
                } catch let error as DatabaseError {
                    // The statement's own error, with the way out when it tried to write.
                    var message = error.message ?? error.description
                    if error.resultCode == .SQLITE_READONLY || message.contains("readonly") {
                        message += " (ctrdb sql is read-only; the database is changed only by ctrdb ingest)"
                    }
                    Terminal.error("sql failed: \(message)")
                    throw ExitCode.failure
                }
            }
        }
    }
}
