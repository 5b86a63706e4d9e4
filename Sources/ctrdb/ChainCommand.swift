import ArgumentParser
import CTRKit
import Foundation
import GRDB

extension CTRDB {
    struct Chain: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the whole journey a leg belongs to, as a timeline.",
            discussion: "One row per leg: method, queue, enqueue/dequeue, wait, whisper gaps, agent, outcome, and missing links."
        )

        @Argument(help: ArgumentHelp("Any leg of the journey.", valueName: "contact-id"))
        var contactId: String

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptionGroup

        func run() throws {
            try failingClearly {
                let catalog = try loadCatalog()
                let sql = try String(contentsOfFile: catalog.folder + "/_chain.sql", encoding: .utf8)
                try database.read { db in
                    // Checked before any output: an unknown contact prints no header and writes no --output file.
                    guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM contacts WHERE contact_id = ?)", arguments: [contactId]) == true else {
                        Terminal.error("no contact \(contactId) in \(database.path)")
                        throw ExitCode.failure
                    }
                    try output.withWriter { writer in try QueryRunner.run(sql, arguments: ["contact_id": contactId], in: db, to: writer) }
                }
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Dump a table or view (CSV by default when not on a terminal).",
            discussion: "For example: contacts, attributes, journeys, contact_versions, rejects, ingest_files."
        )

        @Argument(help: ArgumentHelp("A table or view of the database.", valueName: "table-or-view"))
        var name: String

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptionGroup

        func run() throws {
            try failingClearly {
                try database.read { db in
                    try output.withWriter { writer in try QueryRunner.export(name, in: db, to: writer) }
                }
            }
        }
    }
}
