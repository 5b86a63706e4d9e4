@testable import CTRKit
import Foundation
import GRDB
import Testing
import TestSupport

/// SPEC section 7: a report over one day costs in proportion to that day. SQLite's plan for every
/// report (and the nightly page's query) with `--day`, for every placement, reads `contacts`
/// through an index: no step scans the whole table or its primary key.
@Suite("Query plans: one day is read through an index")
struct QueryPlanTests {
    static let fixture = Result { try ReportFixture(generatedJourneys(count: 600, start: "2024-03-01T00:00:00Z", days: 6, seed: 7)) }

    static func fullScans(_ plan: [String]) -> [String] {
        plan.filter { $0.range(of: #"^SCAN (c|contacts|journeys|stored_versions)( |$)"#, options: .regularExpression) != nil }
    }

    /// The cursors of a program that read `contacts` or one of its indexes from the start
    /// (`OpenRead` on its root page, then `Rewind`): a plan names a table only by its alias
    /// (`SCAN k` for `contacts k`), and a scan of an alias went unseen by `fullScans`.
    static func scansOfContacts(_ program: [(opcode: String, p1: Int, p2: Int)], roots: Set<Int>) -> [Int] {
        let cursors = Set(program.filter { $0.opcode == "OpenRead" && roots.contains($0.p2) }.map(\.p1))
        return program.filter { ($0.opcode == "Rewind" || $0.opcode == "Last") && cursors.contains($0.p1) }.map(\.p1)
    }

    static func rootsOfContacts(_ db: Database) throws -> Set<Int> {
        Set(try Int.fetchAll(db, sql: "SELECT rootpage FROM sqlite_schema WHERE tbl_name = 'contacts' AND rootpage > 0"))
    }

    @Test("no full scan of contacts in any report or the nightly query, for every --by", arguments: ReportParameters.Placement.allCases)
    func reportsUseIndexes(placement: ReportParameters.Placement) throws {
        let fixture = try Self.fixture.get()
        let catalog = try ReportFixture.catalog()
        let nightly = try catalog.helperQuery("_nightly.sql")
        let queries = catalog.reports + [ReportDefinition(name: "_nightly", description: "", parameters: "", columns: [], sql: nightly.sql, path: nightly.path)]
        let queue = try QueryRunner.openReadOnly(fixture.databasePath)
        try queue.read { db in
            for query in queries {
                var parameters = ReportParameters()
                parameters.day = "2024-03-03"
                parameters.placement = placement
                parameters.interval = .hour
                let plan = try ReportRunner(catalog: catalog).queryPlan(query, parameters: parameters, in: db)
                #expect(plan.contains { $0.contains("USING INDEX contacts_") }, "\(query.name): \(plan)")
                #expect(Self.fullScans(plan).isEmpty, "\(query.name) --by \(placement): \(plan)")
                let program = try ReportRunner(catalog: catalog).program(query, parameters: parameters, in: db)
                #expect(Self.scansOfContacts(program, roots: try Self.rootsOfContacts(db)).isEmpty, "\(query.name) --by \(placement): \(plan)")
            }
        }
    }

    @Test("the check can fail: a query that filters on a column without an index scans contacts")
    func theCheckCanFail() throws {
        let fixture = try Self.fixture.get()
        let queue = try QueryRunner.openReadOnly(fixture.databasePath)
        let plan = try queue.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT COUNT(*) FROM contacts c WHERE c.agent_username = 'a'").map { $0["detail"] as String }
        }
        #expect(!Self.fullScans(plan).isEmpty, "\(plan)")
    }

    @Test("the program check can fail: without the index on previous_contact_id, the callback requests scan contacts")
    func theProgramCheckCanFail() throws {
        let fixture = try Self.fixture.get()
        let folder = try TemporaryFolder()
        let copy = folder.file("copy.db")
        try FileManager.default.copyItem(atPath: fixture.databasePath, toPath: copy)
        try DatabaseQueue(path: copy).writeWithoutTransaction { try $0.execute(sql: "DROP INDEX contacts_previous") }
        let catalog = try ReportFixture.catalog()
        let callbacks = try #require(catalog.reports.first { $0.name == "callbacks" })
        var parameters = ReportParameters()
        parameters.day = "2024-03-03"
        let scans = try QueryRunner.openReadOnly(copy).read { db in
            Self.scansOfContacts(try ReportRunner(catalog: catalog).program(callbacks, parameters: parameters, in: db), roots: try Self.rootsOfContacts(db))
        }
        #expect(!scans.isEmpty)
    }

    @Test("ctrdb chain reads the journey's legs through indexes")
    func chainOfALeg() throws {
        let fixture = try Self.fixture.get()
        let catalog = try ReportFixture.catalog()
        let query = try catalog.helperQuery("_chain.sql")
        let queue = try QueryRunner.openReadOnly(fixture.databasePath)
        let plan = try queue.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + catalog.compose(query.sql), arguments: ["contact_id": "x"])
                .map { $0["detail"] as String }
        }
        #expect(Self.fullScans(plan).isEmpty, "\(plan)")
        #expect(plan.contains { $0.contains("USING INDEX contacts_chain") }, "\(plan)")
    }

    @Test("a one-day journeys query reads the journeys table through its index")
    func journeysOfADay() throws {
        let fixture = try Self.fixture.get()
        let queue = try QueryRunner.openReadOnly(fixture.databasePath)
        let plan = try queue.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT * FROM journeys WHERE first_initiation_ts >= '2024-03-03' AND first_initiation_ts < '2024-03-04'")
                .map { $0["detail"] as String }
        }
        #expect(Self.fullScans(plan).isEmpty, "\(plan)")
        #expect(plan.contains { $0.contains("journeys_first_initiation") })
    }
}
