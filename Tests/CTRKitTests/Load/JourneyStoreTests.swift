import Foundation
import GRDB
import Testing
import TestSupport
@testable import CTRKit

/// The `journeys` table and the quality counters, kept by the load and the chain stage, must
/// equal what computing them from scratch gives; one-day queries must use an index.
@Suite struct JourneyStoreTests {
    /// What `journeys` was as a view (schema version 1): every chain aggregated from its legs,
    /// found by `chain_id` alone, not by `JourneyStore.legs`.
    private let recomputed = """
        SELECT chain_id, COUNT(*), MIN(initiation_ts), MAX(disconnect_ts),
               (SELECT group_concat(queue_name, ', ') FROM
                   (SELECT DISTINCT q.queue_name FROM contacts q
                    WHERE q.chain_id = c.chain_id AND q.queue_name IS NOT NULL AND q.enqueue_ts IS NOT NULL
                    ORDER BY q.queue_name)),
               MAX(connected_to_agent_ts IS NOT NULL), MAX(COALESCE(initiation_method LIKE 'CALLBACK%', 0)),
               MAX(missing_parent OR missing_next OR in_cycle)
        FROM contacts c WHERE chain_id IS NOT NULL GROUP BY chain_id ORDER BY 1
        """

    @Test func theTableEqualsTheAggregateAfterLinksArriveLaterAndAFileChanges() throws {
        let folder = try TemporaryFolder()
        let db = folder.file("ctr.db")
        // Run 1: legs alone; run 2: their parents and children arrive; run 3: a file changes.
        _ = try folder.write("a.json", (ctr("p1", queue: "Sales") + ctr("x", answered: true) + ctr("c2", method: "CALLBACK", previous: "p2", queue: "Support")))
        try ingest([folder.file("a.json")], into: db)
        #expect(try rows(db, "SELECT * FROM journeys ORDER BY 1") == rows(db, recomputed))
        _ = try folder.write("b.json", (ctr("c1", method: "TRANSFER", previous: "p1", queue: "Billing") + ctr("p2", next: "c2")))
        try ingest([folder.file("a.json"), folder.file("b.json")], into: db)
        #expect(try rows(db, "SELECT chain_id, legs FROM journeys ORDER BY 1") == [["p1", "2"], ["p2", "2"], ["x", "1"]])
        #expect(try rows(db, "SELECT * FROM journeys ORDER BY 1") == rows(db, recomputed))
        _ = try folder.write("b.json", (ctr("p2", next: "c2", lastUpdate: "2024-03-12T10:30:00Z")))
        try ingest([folder.file("a.json"), folder.file("b.json")], into: db)
        #expect(try rows(db, "SELECT chain_id, legs FROM journeys ORDER BY 1") == [["p1", "1"], ["p2", "2"], ["x", "1"]])
        #expect(try rows(db, "SELECT * FROM journeys ORDER BY 1") == rows(db, recomputed))
    }

    /// `JourneyUpdate` leaves a journey's entry in `journeys_first_initiation` when its start
    /// stays, and moves it when a leg moves the start: a standalone leg (the load writes its
    /// row) and a leg of a chain (the refresh does), each redelivered with the same start, then
    /// with an earlier one. The index must agree with the table each time.
    @Test func aJourneysStartStaysOrMovesInItsIndex() throws {
        let folder = try TemporaryFolder()
        let db = folder.file("ctr.db")
        func earlier(_ record: String) -> String {
            record.replacingOccurrences(of: "\"InitiationTimestamp\":\"2024-03-12T10:00:00Z\"",
                                        with: "\"InitiationTimestamp\":\"2024-03-12T09:00:00Z\"")
        }
        let byStart = "SELECT chain_id, first_initiation_ts FROM journeys INDEXED BY journeys_first_initiation WHERE first_initiation_ts >= '' ORDER BY 1"
        _ = try folder.write("a.json", ctr("p1") + ctr("c1", method: "TRANSFER", previous: "p1") + ctr("x"))
        try ingest([folder.file("a.json")], into: db)
        let later = "2024-03-12T10:20:00Z", latest = "2024-03-12T10:30:00Z"
        _ = try folder.write("b.json", ctr("c1", method: "TRANSFER", previous: "p1", lastUpdate: later) + ctr("x", answered: true, lastUpdate: later))
        try ingest([folder.file("b.json")], into: db)
        #expect(try rows(db, byStart) == [["p1", "2024-03-12T10:00:00Z"], ["x", "2024-03-12T10:00:00Z"]])
        #expect(try rows(db, "SELECT answered FROM journeys WHERE chain_id = 'x'") == [["1"]], "the row is rewritten, its start kept")
        _ = try folder.write("c.json", earlier(ctr("c1", method: "TRANSFER", previous: "p1", lastUpdate: latest)) + earlier(ctr("x", lastUpdate: latest)))
        try ingest([folder.file("c.json")], into: db)
        #expect(try rows(db, byStart) == [["p1", "2024-03-12T09:00:00Z"], ["x", "2024-03-12T09:00:00Z"]])
        #expect(try rows(db, "SELECT answered FROM journeys WHERE chain_id = 'x'") == [["0"]])
        #expect(try rows(db, "SELECT * FROM journeys ORDER BY 1") == rows(db, recomputed))
        #expect(try rows(db, "PRAGMA integrity_check") == [["ok"]])
    }

    /// A journey's row is at its head's rowid, or at a negative rowid while its head is not loaded
    /// (schema version 7); it moves when the head arrives and when the head is withdrawn.
    @Test func aJourneysRowFollowsItsHead() throws {
        let folder = try TemporaryFolder()
        let db = folder.file("ctr.db")
        func places() throws -> [[String]] {
            try rows(db, "SELECT chain_id, CASE WHEN j.rowid < 0 THEN 'headless' ELSE (SELECT contact_id FROM contacts WHERE rowid = j.rowid) END FROM journeys j ORDER BY 1")
        }
        // c2's parent p2 is not loaded: chain p2 has no head.
        _ = try folder.write("a.json", (ctr("x", answered: true) + ctr("c2", method: "CALLBACK", previous: "p2", queue: "Support") + ctr("c3", method: "CALLBACK", previous: "p3")))
        try ingest([folder.file("a.json")], into: db)
        #expect(try places() == [["p2", "headless"], ["p3", "headless"], ["x", "x"]])
        #expect(try rows(db, "SELECT COUNT(*) FROM journeys WHERE rowid < 0") == [["2"]])
        // p2 arrives: its journey moves to p2's row.
        _ = try folder.write("b.json", (ctr("p2", next: "c2")))
        try ingest([folder.file("a.json"), folder.file("b.json")], into: db)
        #expect(try places() == [["p2", "p2"], ["p3", "headless"], ["x", "x"]])
        #expect(try rows(db, "SELECT * FROM journeys ORDER BY 1") == rows(db, recomputed))
        // b.json changes and p2 is withdrawn: the journey is c2's alone again, without a head.
        _ = try folder.write("b.json", (ctr("y")))
        try ingest([folder.file("a.json"), folder.file("b.json")], into: db)
        #expect(try places() == [["p2", "headless"], ["p3", "headless"], ["x", "x"], ["y", "y"]])
        #expect(try rows(db, "SELECT * FROM journeys ORDER BY 1") == rows(db, recomputed))
        // x withdrawn: its journey goes with it.
        _ = try folder.write("a.json", (ctr("c2", method: "CALLBACK", previous: "p2", queue: "Support") + ctr("c3", method: "CALLBACK", previous: "p3")))
        try ingest([folder.file("a.json"), folder.file("b.json")], into: db)
        #expect(try places() == [["p2", "headless"], ["p3", "headless"], ["y", "y"]])
        #expect(try rows(db, "SELECT * FROM journeys ORDER BY 1") == rows(db, recomputed))
    }

    /// A leg named only by another leg's InitialContactId (no previous or next link) has no
    /// link of its own, but its journey is not its alone: the row must count both legs in
    /// whichever order, and in whichever run, they arrive.
    @Test func aLegNamedOnlyAsInitialContactSharesItsJourneyInAnyOrder() throws {
        let folder = try TemporaryFolder()
        _ = try folder.write("root.json", ctr("a", queue: "Sales"))
        _ = try folder.write("transfer.json", ctr("b", method: "TRANSFER", initial: "a", queue: "Billing"))
        _ = try folder.write("root-again.json", ctr("a", queue: "Sales", lastUpdate: "2024-03-12T10:20:00Z"))
        for (name, runs) in [("root first", [["root.json"], ["transfer.json"], ["root-again.json"]]),
                             ("transfer first", [["transfer.json"], ["root.json"], ["root-again.json"]]),
                             ("one run", [["transfer.json", "root.json", "root-again.json"]])] {
            let db = folder.file("\(name).db")
            var loaded: [String] = []
            for run in runs {
                loaded += run.map(folder.file)
                try ingest(loaded, into: db)
                #expect(try rows(db, "SELECT * FROM journeys ORDER BY 1") == rows(db, recomputed), "\(name), after \(run)")
            }
            #expect(try rows(db, "SELECT chain_id, legs, queues FROM journeys") == [["a", "2", "Billing, Sales"]], "\(name)")
        }
    }

    /// Property: the rows `refresh` computes from the legs equal SQL's aggregate on values where
    /// Swift and SQLite could differ: queue names that differ only in case or Unicode normal
    /// form (SQLite keeps both and sorts by byte), callback methods in any ASCII case (and one
    /// with a non-ASCII letter that is not a match), missing timestamps; in any order of files.
    @Test func rowsComputedFromTheLegsEqualTheAggregateOnOddValues() throws {
        let folder = try TemporaryFolder()
        var generator = SplitMix64(seed: 31)
        let queues: [String?] = ["Sales", "sales", "\u{E9}t\u{E9}", "e\u{301}te\u{301}", "Zoo", "", nil]
        let methods = ["INBOUND", "callback", "CallBack_x", "CALLBAC", "xCALLBACK", "CALLBACK_CUSTOMER_FIRST_QUEUED", "CALLBAC\u{212A}"]
        func q(_ s: String?) -> String { s.map { "\"\($0)\"" } ?? "null" }
        var files: [String] = []
        for f in 0..<4 {
            var text = ""
            for i in 0..<25 {
                let id = "L\(f * 25 + i)"
                let parent = i > 0 && Bool.random(using: &generator) ? "L\(f * 25 + Int.random(in: 0..<i, using: &generator))" : nil
                let queue = queues.randomElement(using: &generator)!
                let minute = Int.random(in: 10..<60, using: &generator)
                let initiation = i % 6 == 0 ? "null" : "\"2024-03-12T10:\(minute):00Z\""
                let disconnect = i % 5 == 0 ? "null" : "\"2024-03-12T11:\(minute):00Z\""
                let enqueued = Bool.random(using: &generator) ? "\"2024-03-12T10:59:00Z\"" : "null"
                text += "{\"ContactId\":\"\(id)\",\"InitiationMethod\":\(q(methods.randomElement(using: &generator)!)),"
                    + "\"InitiationTimestamp\":\(initiation),\"DisconnectTimestamp\":\(disconnect),\"LastUpdateTimestamp\":\"2024-03-12T12:00:00Z\","
                    + "\"PreviousContactId\":\(q(parent)),\"InitialContactId\":\(q(i % 7 == 3 ? "L\(f * 25)" : nil)),"
                    + "\"Queue\":\(queue.map { "{\"Name\":\(q($0)),\"EnqueueTimestamp\":\(enqueued)}" } ?? "null"),"
                    + "\"Agent\":\(Bool.random(using: &generator) ? "{\"ConnectedToAgentTimestamp\":\"2024-03-12T11:00:00Z\"}" : "null")}"
            }
            files.append(try folder.write("f\(f).json", text))
        }
        var reference: [[String]]?
        for order in 0..<4 {
            let db = folder.file("order\(order).db")
            for file in files.shuffled(using: &generator) { try ingest([file], into: db) }
            let table = try rows(db, "SELECT * FROM journeys ORDER BY 1")
            let expected = try rows(db, recomputed)
            #expect(table == expected, "order \(order): \(zip(table, expected).filter { $0 != $1 }.prefix(3))")
            #expect(reference.map { $0 == table } ?? true, "order \(order)")
            #expect(try linksAgainstDefinition(db) == [["0", "0", "0", "0"]], "order \(order)")
            reference = reference ?? table
        }
        let queuesSeen = try rows(folder.file("order0.db"), "SELECT queues FROM journeys WHERE queues LIKE '%,%'").count
        #expect(queuesSeen > 3, "chains with several queues: \(queuesSeen)")
        #expect(JourneyRow.startsWithCallback(Array("cAlLbAcK".utf8)) && !JourneyRow.startsWithCallback(Array("CALLBAC\u{212A}".utf8)))
        // (the outcome's test is case-sensitive, and byte by byte too)
        let kelvin = ChainResolver.Leg(id: "k", previous: nil, next: nil, initial: nil, method: "CALLBAC\u{212A}", queued: true, answered: false)
        #expect(!kelvin.isCallbackLeg)
    }

    /// A leg with no links of its own that arrives after a leg naming it (in a later run) is not
    /// a journey of its own: the load learns that it is named from `awaited_links`, whether it
    /// is named as the parent or as the next leg, and its arrival moves the links to `leg_links`
    /// (schema version 9). A withdrawn leg is awaited again.
    @Test func aLegNamedBeforeItArrivesGoesToTheChainStage() throws {
        let folder = try TemporaryFolder()
        let db = folder.file("ctr.db")
        _ = try folder.write("children.json", ctr("cb", method: "CALLBACK", previous: "p") + ctr("a", next: "t"))
        try ingest([folder.file("children.json")], into: db)
        #expect(try rows(db, "SELECT a.contact_id, c.contact_id, a.kind FROM awaited_links a JOIN contacts c ON c.rowid = a.namer_id ORDER BY 1")
            == [["p", "cb", "0"], ["t", "a", "1"]])
        #expect(try rows(db, "SELECT COUNT(*) FROM leg_links") == [["0"]])
        #expect(try rows(db, "SELECT outcome FROM contacts WHERE contact_id = 'a'") == [["unresolved"]])

        _ = try folder.write("parents.json", ctr("p") + ctr("t", method: "CALLBACK"))
        try ingest([folder.file("children.json"), folder.file("parents.json")], into: db)
        #expect(try rows(db, "SELECT contact_id, outcome FROM contacts WHERE contact_id IN ('p', 'a') ORDER BY 1") == [["a", "callback"], ["p", "callback"]])
        #expect(try rows(db, "SELECT chain_id, legs FROM journeys WHERE chain_id = 'p'") == [["p", "2"]])
        #expect(try rows(db, "SELECT COUNT(*) FROM awaited_links") == [["0"]])
        #expect(try rows(db, """
            SELECT c.contact_id, n.contact_id, l.kind FROM leg_links l JOIN contacts c ON c.rowid = l.leg_id JOIN contacts n ON n.rowid = l.namer_id
            ORDER BY 1
            """) == [["p", "cb", "0"], ["t", "a", "1"]])
        #expect(try rows(db, "SELECT * FROM journeys ORDER BY 1") == rows(db, recomputed))

        // parents.json changes: p and t are withdrawn, and awaited again.
        _ = try folder.write("parents.json", ctr("other"))
        try ingest([folder.file("children.json"), folder.file("parents.json")], into: db)
        #expect(try rows(db, "SELECT a.contact_id, c.contact_id, a.kind FROM awaited_links a JOIN contacts c ON c.rowid = a.namer_id ORDER BY 1")
            == [["p", "cb", "0"], ["t", "a", "1"]])
        #expect(try rows(db, "SELECT COUNT(*) FROM leg_links") == [["0"]])
        #expect(try rows(db, "SELECT outcome FROM contacts WHERE contact_id = 'a'") == [["unresolved"]])
        #expect(try linksAgainstDefinition(db) == [["0", "0", "0", "0"]])
        #expect(try rows(db, "SELECT * FROM journeys ORDER BY 1") == rows(db, recomputed))
    }

    @Test func qualityCountersEqualTheWholeDatabaseChecks() throws {
        let folder = try TemporaryFolder()
        let db = folder.file("ctr.db")
        // A re-delivery, a conflict (same LastUpdateTimestamp, other content), a reject, a cut gzip (its last record rejected too).
        _ = try folder.write("a.json", (ctr("b") + ctr("b") + ctr("a", queue: "One") + ctr("a", queue: "Two") + "{oops}"))
        _ = try folder.write("c.json.gz", Array(gzip(ctr("z")).dropLast(12)))
        try ingest([folder.file("a.json"), folder.file("c.json.gz")], into: db)
        let expected = """
            SELECT 'conflicting_versions', COUNT(DISTINCT a.contact_id), MIN(a.contact_id) FROM versions a JOIN versions b
                ON b.contact_id = a.contact_id AND b.last_update_ms = a.last_update_ms AND b.content_hash > a.content_hash
            UNION ALL SELECT 'duplicate_deliveries', COALESCE(SUM(deliveries - 1), 0), MIN(CASE WHEN deliveries > 1 THEN contact_id END) FROM versions
            UNION ALL SELECT 'partial_files', COUNT(*), NULL FROM ingest_files WHERE status = 'partial'
            UNION ALL SELECT 'rejected_records', COUNT(*), NULL FROM rejects
            ORDER BY 1
            """
        let got = try rows(db, expected), counters = try rows(db, "SELECT * FROM quality_counters ORDER BY 1")
        #expect(got == [["conflicting_versions", "1", "a"], ["duplicate_deliveries", "1", "b"], ["partial_files", "1", "NULL"], ["rejected_records", "2", "NULL"]], "\(got)")
        #expect(counters == got, "\(counters)")
        // The file changes: what it delivered is withdrawn, and the counters follow.
        _ = try folder.write("a.json", (ctr("b")))
        try ingest([folder.file("a.json"), folder.file("c.json.gz")], into: db)
        let after = try rows(db, "SELECT * FROM quality_counters ORDER BY 1"), recount = try rows(db, expected)
        #expect(after == recount, "\(after) \(recount)")
        #expect(try rows(db, "SELECT count FROM quality_counters ORDER BY 1") == [["0"], ["0"], ["1"], ["1"]], "the cut gzip's reject stays")
    }

    /// A linked leg is stored with placeholder chain values of about the final size, so the chain
    /// stage filling them in does not grow the row and split its page. With NULLs there, this
    /// load left 12.8% of the pages of `contacts` unused; with the placeholders, 7.5%.
    @Test func theChainStageLeavesContactsPagesFull() throws {
        let folder = try TemporaryFolder()
        let db = try generatedDatabase(in: folder, journeys: 2_000, days: 1)
        let linked = try rows(db, "SELECT COUNT(*) FROM contacts WHERE chain_id <> contact_id OR chain_depth > 0")[0][0]
        #expect(Int(linked)! > 500, "the export has linked legs: \(linked)")
        #expect(try rows(db, "SELECT COUNT(*) FROM contacts WHERE chain_depth IS NULL") == [["0"]], "every placeholder is resolved")
        let unused = try rows(db, "SELECT 100.0 * SUM(unused) / SUM(pgsize) FROM dbstat WHERE name = 'contacts'")[0][0]
        #expect(Double(unused)! < 10, "\(unused)% of contacts' pages unused")
    }

    /// `JourneyStore.legs` finds the legs `chain_id = X` finds, through the primary key and the
    /// partial `contacts_chain` (schema version 7), without scanning `contacts`.
    @Test func theLegsOfAChainAreFoundThroughTwoIndexes() throws {
        let folder = try TemporaryFolder()
        let db = try generatedDatabase(in: folder, journeys: 300, days: 2)
        let plain = try rows(db, "SELECT chain_id, contact_id FROM contacts WHERE chain_id IS NOT NULL ORDER BY 1, 2")
        let found = try rows(db, "SELECT j.chain_id, c.contact_id FROM journeys j JOIN contacts c ON \(JourneyStore.legs("c", ofChain: "j.chain_id")) ORDER BY 1, 2")
        #expect(found == plain)
        let multiLeg = try rows(db, "SELECT COUNT(*) FROM contacts WHERE chain_id <> contact_id")[0][0]
        #expect(Int(multiLeg)! > 50, "the export has legs in other legs' chains")
        #expect(try rows(db, "SELECT COUNT(*) FROM contacts INDEXED BY contacts_chain WHERE chain_id > '' AND chain_id <> contact_id")[0][0] == multiLeg)

        let refresh = try rows(db, "EXPLAIN QUERY PLAN " + JourneyStore.aggregate(where: JourneyStore.legs("c", ofChain: "'x'"))).map { $0.last! }
        #expect(refresh.contains { $0.contains("USING INDEX contacts_chain") }, "\(refresh)")
        #expect(refresh.contains { $0.contains("USING INDEX sqlite_autoindex_contacts_1") }, "\(refresh)")
        #expect(!refresh.contains { $0.hasPrefix("SCAN c") || $0.hasPrefix("SCAN q") }, "\(refresh)")
        // The check can fail: `chain_id = X` alone cannot use the partial index.
        let plainPlan = try rows(db, "EXPLAIN QUERY PLAN SELECT * FROM contacts WHERE chain_id = 'x'").map { $0.last! }
        #expect(plainPlan.contains { $0.hasPrefix("SCAN contacts") }, "\(plainPlan)")
    }

    @Test func oneDayQueriesUseAnIndex() throws {
        let folder = try TemporaryFolder()
        let db = try generatedDatabase(in: folder, journeys: 300, days: 2)
        let day = "'2024-03-05'", next = "'2024-03-06'"
        for query in [
            "SELECT * FROM journeys WHERE first_initiation_ts >= \(day) AND first_initiation_ts < \(next)",
            "SELECT * FROM contacts WHERE disconnect_ts >= \(day) AND disconnect_ts < \(next)",
            "SELECT * FROM contacts WHERE initiation_ts >= \(day) AND initiation_ts < \(next)",
            "SELECT * FROM contacts WHERE enqueue_ts >= \(day) AND enqueue_ts < \(next)",
            "SELECT * FROM contacts WHERE connected_to_agent_ts >= \(day) AND connected_to_agent_ts < \(next)",
            "SELECT raw_json FROM contact_versions v JOIN contacts c USING (contact_id) WHERE c.disconnect_ts >= \(day) AND c.disconnect_ts < \(next)",
        ] {
            let plan = try rows(db, "EXPLAIN QUERY PLAN " + query).map { $0.last! }
            #expect(plan.contains { $0.contains("USING INDEX") || $0.contains("USING COVERING INDEX") }, "\(query): \(plan)")
            #expect(!plan.contains { $0.hasPrefix("SCAN contacts") || $0.hasPrefix("SCAN c") || $0.hasPrefix("SCAN journeys") }, "\(query): \(plan)")
        }
    }
}
