@testable import CTRKit
import Foundation
import Testing
import TestSupport

/// Hand-made legs of documented Amazon Connect flows (Fixtures/connect-flows, made by its
/// make-flows.py): agent-first callbacks with one and two retries, customer-first callbacks
/// answered at the first dial, after a second dial and never, a queue transfer under the
/// service-level threshold, and a transfer whose next leg arrives in a later run. Every report's
/// figures are asserted exactly; ReportCommandTests checks the same through the binary.
@Suite("Connect flows: outcomes and every report's figures")
struct ConnectFlowTests {
    static let folder = ReportFixture.packageRoot.appendingPathComponent("Tests/CTRKitTests/Fixtures/connect-flows")
    static func file(_ name: String) throws -> String {
        try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
    }
    static func fixture() throws -> ReportFixture {
        try ReportFixture([], extraFiles: ["flows.ndjson": try file("flows.ndjson")])
    }
    /// The values of `column`, row by row, as plain text (empty for null).
    static func row(_ r: ReportResult, _ queue: String) -> [String] {
        (r.row(queue) ?? []).dropFirst(2).map(\.plainText)
    }

    @Test("every leg's outcome: requests, retries, dialled legs, transfers, abandon")
    func outcomes() throws {
        let fixture = try Self.fixture()
        let expected: [String: String] = [
            "A-in": "callback", "A-cb1": "callback_retry", "A-cb2": "answered",
            "B-in": "callback", "B-cb1": "callback_retry", "B-cb2": "callback_retry", "B-cb3": "answered",
            "C-in": "callback", "C-q": "callback_retry", "C-d": "answered",
            "D-in": "callback", "D-q": "callback_retry", "D-d1": "", "D-d2": "answered",
            "E-in": "callback", "E-q": "callback_retry", "E-d1": "",
            "F-in": "transfer", "F-tx": "answered", "G-in": "transfer", "H-ab": "abandoned", "H-ans": "answered",
        ]
        let rows = try fixture.scalar("SELECT group_concat(contact_id || '=' || COALESCE(outcome, ''), ' ') FROM (SELECT * FROM contacts ORDER BY contact_id)")
        let found = Dictionary(uniqueKeysWithValues: String.fromDatabaseValue(rows)!.split(separator: " ").map { pair in
            let parts = pair.split(separator: "=", omittingEmptySubsequences: false)
            return (String(parts[0]), String(parts[1]))
        })
        #expect(found == expected)
    }

    @Test("queue-duration: service level as Connect calculates it, and answered within the threshold")
    func queueDuration() throws {
        let r = try Self.fixture().run("queue-duration")
        // contacts_queued, answered, avg, p50, p90, max, avg_answer, service_level_pct, answered_in_sl_pct
        #expect(Self.row(r, "Sales") == ["9", "1", "21.22", "15", "60", "60", "15.0", "55.56", "11.11"])
        #expect(Self.row(r, "Callbacks") == ["10", "4", "364.0", "205", "530", "1800", "106.25", "10.0", "10.0"])
        #expect(Self.row(r, "Support") == ["1", "1", "30.0", "30", "30", "30", "30.0", "0.0", "0.0"])
    }

    @Test("abandonment: requests, transfers and retries are not abandons; callback_retried counts retries")
    func abandonment() throws {
        let r = try Self.fixture().run("abandonment")
        // queued, abandoned, rate, short, avg_abandon, callback_requested, transferred, unresolved, callback_retried
        #expect(Self.row(r, "Sales") == ["9", "1", "11.11", "1", "3.0", "5", "2", "0", "0"])
        #expect(Self.row(r, "Callbacks") == ["10", "0", "0.0", "0", "", "0", "0", "0", "6"])
        #expect(Self.row(r, "Support") == ["1", "0", "0.0", "0", "", "0", "0", "0", "0"])
    }

    @Test("callbacks: five requests from Sales, none from the callback queue; answered through retries and dials; attempts")
    func callbacks() throws {
        let r = try Self.fixture().run("callbacks")
        #expect(r.rows.count == 1, "a retry or a dialled leg is never a request of its own")
        // requested, answered, rate, avg time to agent ((1210 + 1210 + 430 + 620) / 4), attempts (2 + 3 + 2 + 3 + 2)
        #expect(Self.row(r, "Sales") == ["5", "4", "80.0", "867.5", "12"])
    }

    @Test("whisper: agent-first callback legs only; the unanswered first attempts count as dequeued")
    func whisper() throws {
        let r = try Self.fixture().run("whisper")
        #expect(r.rows.count == 1)
        #expect(Self.row(r, "Callbacks") == ["5", "2", "6.5", "8", "11.0", "12"])
    }

    @Test("quality: Queue.Duration counting the initial delay is not a mismatch; a real one is; the missing next leg")
    func quality() throws {
        let r = try Self.fixture().run("quality")
        #expect(r.value("duration_mismatch", "count") == .integer(1))
        #expect(r.value("duration_mismatch", "example_contact_id") == .text("H-ans"))
        #expect(r.value("missing_next", "count") == .integer(1))
        #expect(r.value("missing_next", "example_contact_id") == .text("G-in"))
        for check in ["missing_queue_duration", "negative_whisper_gap", "missing_parent", "cycle"] {
            #expect(r.value(check, "count") == .integer(0), "\(check)")
        }
    }

    @Test("a transfer whose next leg arrives in a later run stays a transfer; the leg joins its journey")
    func transferCompletedAcrossRuns() throws {
        let fixture = try Self.fixture()
        #expect(try fixture.scalar("SELECT outcome FROM contacts WHERE contact_id = 'G-in'") == "transfer".databaseValue)
        try fixture.ingest(["later.ndjson": try Self.file("later.ndjson")])
        #expect(try fixture.scalar("SELECT outcome FROM contacts WHERE contact_id = 'G-in'") == "transfer".databaseValue)
        #expect(try fixture.scalar("SELECT chain_id FROM contacts WHERE contact_id = 'G-tx'") == "G-in".databaseValue)
        #expect(try fixture.scalar("SELECT legs FROM journeys WHERE chain_id = 'G-in'") == 2.databaseValue)
        #expect(try fixture.run("quality").value("missing_next", "count") == .integer(0))
        #expect(Self.row(try fixture.run("queue-duration"), "Support") == ["2", "2", "45.0", "30", "60", "60", "45.0", "0.0", "0.0"])
        #expect(Self.row(try fixture.run("abandonment"), "Sales") == ["9", "1", "11.11", "1", "3.0", "5", "2", "0", "0"])
    }

    @Test("the same flows loaded in reverse order, one leg per run, give the same outcomes")
    func orderDoesNotMatter() throws {
        let lines = try Self.file("flows.ndjson").split(separator: "\n").map(String.init)
        let whole = try Self.fixture()
        let piecewise = try ReportFixture([])
        for (n, line) in lines.reversed().enumerated() { try piecewise.ingest(["leg-\(n).ndjson": line + "\n"]) }
        let sql = "SELECT group_concat(contact_id || ':' || COALESCE(outcome, '-') || ':' || chain_id, ',') FROM (SELECT * FROM contacts ORDER BY contact_id)"
        #expect(try whole.scalar(sql) == piecewise.scalar(sql))
        for report in ReportColumnTests.reports {
            #expect(try whole.run(report).rows == piecewise.run(report).rows, "\(report)")
        }
    }
}

@Suite("Report options: --by answer and --day")
struct PlacementAndDayTests {
    @Test("--by answer places a leg by connected_to_agent_ts across an hour boundary, an unanswered one by initiation_ts")
    func byAnswer() throws {
        let fixture = try ReportFixture([
            FixtureLeg("x", initiation: "2024-03-12T09:58:00Z", disconnect: "2024-03-12T11:20:00Z", queue: "Q", enqueue: "2024-03-12T09:58:00Z",
                       dequeue: "2024-03-12T10:01:00Z", duration: 180, agent: "a", connectedToAgent: "2024-03-12T10:01:00Z"),
            FixtureLeg("y", initiation: "2024-03-12T09:59:00Z", disconnect: "2024-03-12T10:02:00Z", queue: "Q", enqueue: "2024-03-12T09:59:00Z",
                       dequeue: "2024-03-12T10:02:00Z", duration: 180),
        ])
        func starts(_ by: ReportParameters.Placement) throws -> [String] {
            let r = try fixture.run("queue-duration") { $0.placement = by; $0.interval = .hour }
            return r.rows.map { "\($0[0].plainText) \($0[2].plainText)" }
        }
        #expect(try starts(.answer) == ["2024-03-12T09:00:00+00:00 1", "2024-03-12T10:00:00+00:00 1"])
        let answered = try fixture.run("queue-duration") { $0.placement = .answer; $0.interval = .hour; $0.from = "2024-03-12T10:00" }
        #expect(answered.rows.map { $0[3] } == [.integer(1)], "the 10:00 hour holds the answered leg")
        #expect(try starts(.enqueue) == ["2024-03-12T09:00:00+00:00 2"])
        #expect(try starts(.disconnect) == ["2024-03-12T10:00:00+00:00 1", "2024-03-12T11:00:00+00:00 1"])
    }

    /// Legs at local times of America/New_York around its DST days.
    static func nyLegs() -> [FixtureLeg] {
        TimeZoneReportTests.legs(disconnectingAt: [
            "2024-03-10T04:59:00Z",  // 2024-03-09 23:59 EST: the day before
            "2024-03-10T05:00:00Z",  // 2024-03-10 00:00 EST: the first second of the 23-hour day
            "2024-03-11T03:59:00Z",  // 2024-03-10 23:59 EDT: its last minute
            "2024-03-11T04:00:00Z",  // 2024-03-11 00:00 EDT: the day after
            "2024-11-03T04:00:00Z",  // 2024-11-03 00:00 EDT: the 25-hour day
            "2024-11-04T04:59:00Z",  // 2024-11-03 23:59 EST
            "2024-11-04T05:00:00Z",  // 2024-11-04 00:00 EST
        ])
    }

    @Test("--day in a DST zone covers the 23- and 25-hour civil days")
    func dayInDSTZone() throws {
        let fixture = try ReportFixture(Self.nyLegs())
        for (day, count, start) in [("2024-03-10", 2, "2024-03-10T00:00:00-05:00"), ("2024-11-03", 2, "2024-11-03T00:00:00-04:00")] {
            let total = try fixture.run("queue-duration") { $0.day = day; $0.timeZone = "America/New_York"; $0.interval = .total }
            #expect(total.rows.map { $0[0].plainText } == [start], "\(day)")
            #expect(total.rows.map { $0[2] } == [.integer(Int64(count))], "\(day)")
            let explicit = try fixture.run("queue-duration") { $0.from = day; $0.to = CivilDay.resolve(day, in: TimeZone(identifier: "UTC")!)!.next
                $0.timeZone = "America/New_York"; $0.interval = .total }
            #expect(explicit.rows == total.rows, "--day is shorthand for --from and --to")
        }
        // hourly: the spring day has 23 possible hours, the autumn day 25; the legs sit in the first and last
        let spring = try fixture.run("queue-duration") { $0.day = "2024-03-10"; $0.timeZone = "America/New_York"; $0.interval = .hour }
        #expect(spring.rows.map { $0[0].plainText } == ["2024-03-10T00:00:00-05:00", "2024-03-10T23:00:00-04:00"])
        let autumn = try fixture.run("queue-duration") { $0.day = "2024-11-03"; $0.timeZone = "America/New_York"; $0.interval = .hour }
        #expect(autumn.rows.map { $0[0].plainText } == ["2024-11-03T00:00:00-04:00", "2024-11-03T23:00:00-05:00"])
    }

    @Test("yesterday and today are civil days of the zone at the run's instant; bad days are refused")
    func relativeDays() throws {
        let zone = TimeZone(identifier: "America/New_York")!
        // 2024-03-10T03:30Z is 22:30 EST on 2024-03-09 in New York
        let now = Date(timeIntervalSince1970: TimeInterval(Timestamp.parse("2024-03-10T03:30:00Z")!.epochSeconds))
        #expect(CivilDay.resolve("today", in: zone, now: now)! == ("2024-03-09", "2024-03-10"))
        #expect(CivilDay.resolve("yesterday", in: zone, now: now)! == ("2024-03-08", "2024-03-09"))
        #expect(CivilDay.resolve("today", in: TimeZone(identifier: "UTC")!, now: now)! == ("2024-03-10", "2024-03-11"))
        #expect(CivilDay.resolve("2024-02-29", in: zone)! == ("2024-02-29", "2024-03-01"))
        #expect(CivilDay.resolve("2024-12-31", in: zone)! == ("2024-12-31", "2025-01-01"))
        for bad in ["2026-13-40", "2023-02-29", "2024-3-1", "tomorrow", "", "2024-03-10T00:00"] {
            #expect(CivilDay.resolve(bad, in: zone) == nil, "\(bad)")
        }
        var both = ReportParameters()
        both.day = "2024-03-10"
        both.from = "2024-03-10"
        #expect(throws: ReportError.dayWithRange) { try both.range() }
    }
}
