@testable import CTRKit
import Foundation
import GRDB
import Testing

/// SPEC section 7: a report over one day costs in proportion to that day. SQLite's plan for every
/// report (and the nightly page's query) with `--day`, for every placement, reads `contacts`
/// through an index: no step scans the whole table or its primary key.
@Suite("Query plans: one day is read through an index")
struct QueryPlanTests {
    static let fixture = Result { try ReportFixture(generatedJourneys(count: 600, start: "2024-03-01T00:00:00Z", days: 6, seed: 7)) }

    static func fullScans(_ plan: [String]) -> [String] {
        plan.filter { $0.range(of: #"^SCAN (c|contacts|journeys|stored_versions)( |$)"#, options: .regularExpression) != nil }
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
