import ArgumentParser
import CTRKit
import Foundation

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
                let runner = ReportRunner(catalog: try loadCatalog())
                try database.read { db in
                    try output.withWriter { writer in try runner.chain(of: contactId, in: db, to: writer) }
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
