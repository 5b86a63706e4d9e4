@testable import CTRKit
import Foundation
import GRDB
import Testing
import TestSupport

/// A cell as a number (integer or real), nil for null or text.
private func number(_ cell: Cell?) -> Double? {
    switch cell {
    case let .integer(v)?: return Double(v)
    case let .real(v)?: return v
    default: return nil
    }
}

private let ny = "America/New_York"

@Suite("ReportRunner: report columns")
struct ReportColumnTests {
    /// Every report of Queries/ (the golden files pin SPEC section 5's names).
    static let reports = ((try? ReportFixture.catalog())?.reports ?? []).map(\.name)

    @Test("columns are those the report declares, in order, with and without rows, at every interval", arguments: reports)
    func columns(report: String) throws {
        let declared = try ReportFixture.catalog().report(named: report).columns
        let empty = try ReportFixture([])
        #expect(try empty.run(report).columns == declared)
        let seed = try ReportFixture(SeedExample.legs)
        for interval in ReportInterval.allCases {
            #expect(try seed.run(report) { $0.interval = interval }.columns == declared)
        }
    }

    @Test("an empty database gives no rows, and quality lists every check with 0")
    func emptyDatabase() throws {
        let empty = try ReportFixture([])
        for report in Self.reports where report != "quality" {
            #expect(try empty.run(report).rows.isEmpty)
        }
        let quality = try empty.run("quality")
        #expect(quality.texts("check") == ["duration_mismatch", "missing_queue_duration", "negative_whisper_gap", "missing_parent", "missing_next",
                                           "cycle", "duplicate_deliveries", "conflicting_versions", "rejected_records", "partial_files"])
        #expect(quality.rows.allSatisfy { $0[1] == .integer(0) && $0[2] == .null })
    }
}

@Suite("ReportRunner: the seed example (SPEC section 6)")
struct SeedReportTests {
    /// Both the compact legs and the real fixture file must give the SPEC figures.
    static func fixtures() throws -> [ReportFixture] {
        let file = ReportFixture.packageRoot.appendingPathComponent("Tests/CTRKitTests/Fixtures/seed-example.json")
        return [try ReportFixture(SeedExample.legs), try ReportFixture([], extraFiles: ["seed.json": try String(contentsOf: file, encoding: .utf8)])]
    }

    @Test("whisper: agent 10 s, outbound 15 s in CallbackQueue")
    func whisper() throws {
        for fixture in try Self.fixtures() {
            let r = try fixture.run("whisper")
            #expect(r.rows.count == 1)
            #expect(r.value("CallbackQueue", "callbacks_dequeued") == .integer(1))
            #expect(r.value("CallbackQueue", "callbacks_connected") == .integer(1))
            #expect(number(r.value("CallbackQueue", "avg_agent_whisper_s")) == 10)
            #expect(number(r.value("CallbackQueue", "max_agent_whisper_s")) == 10)
            #expect(number(r.value("CallbackQueue", "avg_outbound_whisper_s")) == 15)
            #expect(number(r.value("CallbackQueue", "max_outbound_whisper_s")) == 15)
            #expect(r.value("CallbackQueue", "interval_start") == .text("2024-03-12T00:00:00+00:00"))
        }
    }

    @Test("abandonment: CTR-1 is a callback request, not an abandon")
    func abandonment() throws {
        for fixture in try Self.fixtures() {
            let r = try fixture.run("abandonment")
            #expect(r.value("InboundQueue", "contacts_queued") == .integer(1))
            #expect(r.value("InboundQueue", "abandoned") == .integer(0))
            #expect(r.value("InboundQueue", "callback_requested") == .integer(1))
            #expect(number(r.value("InboundQueue", "abandon_rate_pct")) == 0)
            #expect(r.value("InboundQueue", "avg_abandon_s") == .null)
            #expect(r.value("CallbackQueue", "abandoned") == .integer(0))
            #expect(try fixture.scalar("SELECT outcome FROM contacts WHERE contact_id = '\(SeedExample.ctr1)'") == "callback".databaseValue)
        }
    }

    @Test("queue-duration: CallbackQueue queue time 120 s (Queue.Duration as delivered)")
    func queueDuration() throws {
        for fixture in try Self.fixtures() {
            let r = try fixture.run("queue-duration")
            for column in ["avg_queue_s", "p50_queue_s", "p90_queue_s", "max_queue_s", "avg_answer_s"] {
                #expect(number(r.value("CallbackQueue", column)) == 120, "\(column)")
            }
            #expect(r.value("CallbackQueue", "contacts_answered") == .integer(1))
            #expect(r.value("InboundQueue", "contacts_answered") == .integer(0))
            #expect(r.value("InboundQueue", "avg_answer_s") == .null)
        }
    }

    @Test("callbacks: one request from InboundQueue, answered, avg_time_to_agent_s 325")
    func callbacks() throws {
        for fixture in try Self.fixtures() {
            let r = try fixture.run("callbacks")
            #expect(r.rows.count == 1)
            #expect(r.value("InboundQueue", "callbacks_requested") == .integer(1))
            #expect(r.value("InboundQueue", "callbacks_answered") == .integer(1))
            #expect(number(r.value("InboundQueue", "callback_answer_rate_pct")) == 100)
            #expect(number(r.value("InboundQueue", "avg_time_to_agent_s")) == 325)
        }
    }

    @Test("quality: duration_mismatch 1 with example CTR-2, nothing else")
    func quality() throws {
        for fixture in try Self.fixtures() {
            let r = try fixture.run("quality")
            #expect(r.value("duration_mismatch", "count") == .integer(1))
            #expect(r.value("duration_mismatch", "example_contact_id") == .text(SeedExample.ctr2))
            for check in ["missing_queue_duration", "negative_whisper_gap", "missing_parent", "missing_next", "cycle"] {
                #expect(r.value(check, "count") == .integer(0), "\(check)")
            }
        }
    }
}

@Suite("ReportRunner: SPEC section 4 edge cases")
struct EdgeCaseReportTests {
    @Test("a queue without EnqueueTimestamp is not queued and not counted")
    func queueWithoutEnqueue() throws {
        let fixture = try ReportFixture([
            FixtureLeg("out-1", method: "OUTBOUND", initiation: "2024-03-12T10:00:00Z", connectedToSystem: "2024-03-12T10:00:05Z",
                       disconnect: "2024-03-12T10:05:00Z", queue: "Outbound", agent: "a", connectedToAgent: "2024-03-12T10:00:05Z"),
            FixtureLeg("out-2", method: "OUTBOUND", initiation: "2024-03-12T11:00:00Z", disconnect: "2024-03-12T11:05:00Z", queue: "OnlyOutbound"),
            .queued("in-1", queue: "Outbound", at: "2024-03-12T12:00:00Z", wait: 30, answered: true),
        ])
        #expect(try fixture.scalar("SELECT outcome FROM contacts WHERE contact_id = 'out-2'") == .null)
        for report in ["queue-duration", "abandonment"] {
            let r = try fixture.run(report)
            #expect(r.value("Outbound", "contacts_queued") == .integer(1), "\(report)")
            #expect(r.rowsFor("OnlyOutbound").isEmpty, "\(report)")
        }
        #expect(try fixture.run("quality").value("missing_queue_duration", "count") == .integer(0))
    }

    @Test("missing Queue.Duration falls back to dequeue - enqueue and is counted by quality")
    func missingQueueDuration() throws {
        var leg = FixtureLeg.queued("nodur", queue: "Q", at: "2024-03-12T10:00:00Z", wait: 45, answered: false)
        leg.duration = nil
        let fixture = try ReportFixture([leg, .queued("withdur", queue: "Q", at: "2024-03-12T10:10:00Z", wait: 15, answered: false)])
        let r = try fixture.run("queue-duration")
        #expect(number(r.value("Q", "max_queue_s")) == 45)
        #expect(number(r.value("Q", "avg_queue_s")) == 30)
        #expect(number(try fixture.run("abandonment").value("Q", "avg_abandon_s")) == 30)
        let quality = try fixture.run("quality")
        #expect(quality.value("missing_queue_duration", "count") == .integer(1))
        #expect(quality.value("missing_queue_duration", "example_contact_id") == .text("nodur"))
        #expect(quality.value("duration_mismatch", "count") == .integer(0))
    }

    @Test("a callback leg that never reaches the customer: abandoned in the callback queue, the request still a callback, unanswered")
    func callbackNeverReachesCustomer() throws {
        let fixture = try ReportFixture([
            .queued("orig", queue: "Main", at: "2024-03-12T10:00:00Z", wait: 60, answered: false, next: "cb"),
            FixtureLeg("cb", method: "CALLBACK", initiation: "2024-03-12T10:01:00Z", disconnect: "2024-03-12T10:20:00Z",
                       previous: "orig", initial: "orig", queue: "CB", enqueue: "2024-03-12T10:02:00Z", dequeue: "2024-03-12T10:19:00Z",
                       duration: 1020, agent: "agent.who.accepted"),
        ])
        #expect(try fixture.scalar("SELECT outcome FROM contacts WHERE contact_id = 'orig'") == "callback".databaseValue)
        let abandonment = try fixture.run("abandonment")
        #expect(abandonment.value("Main", "abandoned") == .integer(0))
        #expect(abandonment.value("Main", "callback_requested") == .integer(1))
        #expect(abandonment.value("CB", "abandoned") == .integer(1))
        #expect(number(abandonment.value("CB", "abandon_rate_pct")) == 100)
        let callbacks = try fixture.run("callbacks")
        #expect(callbacks.value("Main", "callbacks_requested") == .integer(1))
        #expect(callbacks.value("Main", "callbacks_answered") == .integer(0))
        #expect(number(callbacks.value("Main", "callback_answer_rate_pct")) == 0)
        #expect(callbacks.value("Main", "avg_time_to_agent_s") == .null)
        #expect(callbacks.rowsFor("CB").isEmpty)
        let whisper = try fixture.run("whisper")
        #expect(whisper.value("CB", "callbacks_dequeued") == .integer(1))
        #expect(whisper.value("CB", "callbacks_connected") == .integer(0))
        #expect(whisper.value("CB", "avg_agent_whisper_s") == .null)
    }

    @Test("an unresolved next leg (named, not loaded) is unresolved, not abandoned")
    func unresolvedNext() throws {
        let fixture = try ReportFixture([
            .queued("u1", queue: "Q", at: "2024-03-12T10:00:00Z", wait: 3, answered: false, next: "not-loaded"),
            .queued("a1", queue: "Q", at: "2024-03-12T10:05:00Z", wait: 3, answered: false),
        ])
        let r = try fixture.run("abandonment")
        #expect(r.value("Q", "unresolved") == .integer(1))
        #expect(r.value("Q", "abandoned") == .integer(1))
        #expect(r.value("Q", "abandoned_short") == .integer(1))
        #expect(r.value("Q", "transferred") == .integer(0))
        #expect(r.value("Q", "callback_requested") == .integer(0))
        let quality = try fixture.run("quality")
        #expect(quality.value("missing_next", "count") == .integer(1))
        #expect(quality.value("missing_next", "example_contact_id") == .text("u1"))
        // Connect's service level counts every leg out of the queue within --sl, whatever ended its wait
        let sl = try fixture.run("queue-duration") { $0.serviceLevelSeconds = 20 }
        #expect(number(sl.value("Q", "service_level_pct")) == 100)
        #expect(number(sl.value("Q", "answered_in_sl_pct")) == 0)
    }

    @Test("a negative whisper gap is left out of whisper statistics and counted by quality")
    func negativeWhisperGap() throws {
        let fixture = try ReportFixture([
            FixtureLeg("good", method: "CALLBACK", initiation: "2024-03-12T10:00:00Z", connectedToSystem: "2024-03-12T10:05:10Z",
                       disconnect: "2024-03-12T10:10:00Z", queue: "CB", enqueue: "2024-03-12T10:01:00Z", dequeue: "2024-03-12T10:05:00Z",
                       duration: 240, agent: "a", connectedToAgent: "2024-03-12T10:05:25Z"),
            FixtureLeg("negative", method: "CALLBACK", initiation: "2024-03-12T11:00:00Z", connectedToSystem: "2024-03-12T11:04:55Z",
                       disconnect: "2024-03-12T11:10:00Z", queue: "CB", enqueue: "2024-03-12T11:01:00Z", dequeue: "2024-03-12T11:05:00Z",
                       duration: 240, agent: "a", connectedToAgent: "2024-03-12T11:05:15Z"),
        ])
        let whisper = try fixture.run("whisper")
        #expect(whisper.value("CB", "callbacks_dequeued") == .integer(2))
        #expect(number(whisper.value("CB", "avg_agent_whisper_s")) == 10)
        #expect(number(whisper.value("CB", "max_agent_whisper_s")) == 10)
        // the outbound gap of the same leg (20 s) is positive and counts
        #expect(number(whisper.value("CB", "avg_outbound_whisper_s")) == 17.5)
        #expect(number(whisper.value("CB", "max_outbound_whisper_s")) == 20)
        let quality = try fixture.run("quality")
        #expect(quality.value("negative_whisper_gap", "count") == .integer(1))
        #expect(quality.value("negative_whisper_gap", "example_contact_id") == .text("negative"))
    }

    @Test("a leg without a disconnect time falls back to initiation_ts for --by disconnect")
    func missingDisconnect() throws {
        var open = FixtureLeg.queued("open", queue: "Q", at: "2024-03-12T23:50:00Z", wait: 20, answered: true, talk: 1200)
        open.disconnect = nil
        open.lastUpdate = "2024-03-13T00:30:00Z"
        let fixture = try ReportFixture([open, .queued("closed", queue: "Q", at: "2024-03-12T23:50:00Z", wait: 20, answered: true, talk: 1200)])
        let r = try fixture.run("queue-duration")
        #expect(r.texts("interval_start") == ["2024-03-12T00:00:00+00:00", "2024-03-13T00:00:00+00:00"])
        #expect(r.rows.map { $0[r.column("contacts_queued")] } == [.integer(1), .integer(1)])
        // by enqueue, both are on the 12th
        let byEnqueue = try fixture.run("queue-duration") { $0.placement = .enqueue }
        #expect(byEnqueue.texts("interval_start") == ["2024-03-12T00:00:00+00:00"])
        #expect(byEnqueue.value("Q", "contacts_queued") == .integer(2))
        // and --to cuts on the fallback time too
        let cut = try fixture.run("queue-duration") { $0.to = "2024-03-13" }
        #expect(cut.value("Q", "contacts_queued") == .integer(1))
    }
}

@Suite("ReportRunner: statistics")
struct StatisticsReportTests {
    static func waits(_ values: [Int], queue: String = "Q", answered: Bool = true, prefix: String = "w") -> [FixtureLeg] {
        values.enumerated().map { index, wait in
            .queued("\(prefix)\(index)", queue: queue, at: FixtureLeg.shift("2024-03-12T08:00:00Z", by: index * 60), wait: wait, answered: answered)
        }
    }

    @Test("averages round half away from zero to 2 decimals: 10.125 -> 10.13")
    func roundingEighth() throws {
        let fixture = try ReportFixture(Self.waits([10, 10, 10, 10, 10, 10, 10, 11]))
        let r = try fixture.run("queue-duration")
        #expect(number(r.value("Q", "avg_queue_s")) == 10.13)
        #expect(number(r.value("Q", "avg_answer_s")) == 10.13)
    }

    @Test("10.005 -> 10.01 (a binary double would give 10.0), and 2/3 -> 66.67")
    func roundingExact() throws {
        let fixture = try ReportFixture(Self.waits(Array(repeating: 10, count: 199) + [11]))
        #expect(number(try fixture.run("queue-duration").value("Q", "avg_queue_s")) == 10.01)
        let thirds = try ReportFixture(Self.waits([1, 2], answered: false) + Self.waits([3], prefix: "x"))
        #expect(number(try thirds.run("abandonment").value("Q", "abandon_rate_pct")) == 66.67)
    }

    @Test("ctr_ratio: exact integer rounding, both signs, division by zero is null")
    func ratioFunction() {
        #expect(ReportFunctions.ratio(81.databaseValue, 8.databaseValue) == 10.13)
        #expect(ReportFunctions.ratio((-81).databaseValue, 8.databaseValue) == -10.13)
        #expect(ReportFunctions.ratio(2001.databaseValue, 200.databaseValue) == 10.01)
        #expect(ReportFunctions.ratio((-2001).databaseValue, 200.databaseValue) == -10.01)
        #expect(ReportFunctions.ratio(200.databaseValue, 3.databaseValue) == 66.67)
        #expect(ReportFunctions.ratio(1.databaseValue, 0.databaseValue) == nil)
        #expect(ReportFunctions.ratio(DatabaseValue.null, 3.databaseValue) == nil)
        #expect(ReportFunctions.ratio(0.databaseValue, 3.databaseValue) == 0)
    }

    @Test("nearest-rank percentiles: of 10 values p50 is the 5th and p90 the 9th; legs without queue_s are left out")
    func percentiles() throws {
        var legs = Self.waits([70, 20, 100, 40, 10, 90, 60, 30, 80, 50])
        for id in ["none-1", "none-2"] {
            legs.append(FixtureLeg(id, initiation: "2024-03-12T09:00:00Z", disconnect: "2024-03-12T09:10:00Z", queue: "Q",
                                   enqueue: "2024-03-12T09:00:00Z"))
        }
        let r = try ReportFixture(legs).run("queue-duration")
        #expect(r.value("Q", "contacts_queued") == .integer(12))
        #expect(number(r.value("Q", "p50_queue_s")) == 50)
        #expect(number(r.value("Q", "p90_queue_s")) == 90)
        #expect(number(r.value("Q", "max_queue_s")) == 100)
        #expect(number(r.value("Q", "avg_queue_s")) == 55)
    }

    @Test("nearest rank for small and uneven counts", arguments: [
        ([7], 7, 7), ([1, 2, 3], 2, 3), ([4, 1, 3, 2], 2, 4), (Array(1...20), 10, 18), (Array(1...11), 6, 10),
    ])
    func percentileRanks(values: [Int], p50: Int, p90: Int) throws {
        let r = try ReportFixture(Self.waits(values)).run("queue-duration")
        #expect(number(r.value("Q", "p50_queue_s")) == Double(p50))
        #expect(number(r.value("Q", "p90_queue_s")) == Double(p90))
    }

    @Test("service_level_pct counts every queued leg with queue_s < --sl (Connect's calculation); answered_in_sl_pct only answered ones")
    func serviceLevel() throws {
        let fixture = try ReportFixture(Self.waits([5, 10, 19, 20, 25]))
        #expect(number(try fixture.run("queue-duration").value("Q", "service_level_pct")) == 60)
        #expect(number(try fixture.run("queue-duration") { $0.serviceLevelSeconds = 21 }.value("Q", "service_level_pct")) == 80)
        #expect(number(try fixture.run("queue-duration") { $0.serviceLevelSeconds = 5 }.value("Q", "service_level_pct")) == 0)
        #expect(number(try fixture.run("queue-duration") { $0.serviceLevelSeconds = 100 }.value("Q", "service_level_pct")) == 100)
        #expect(number(try fixture.run("queue-duration").value("Q", "answered_in_sl_pct")) == 60)
        // a queue transfer under the threshold is removed from the queue within it: in both
        // halves of service_level_pct, in the denominator only of answered_in_sl_pct
        let transfer = try ReportFixture(Self.waits([5, 30]) + [
            .queued("t", queue: "Q", at: "2024-03-12T09:00:00Z", wait: 1, answered: false, next: "t2"),
            .queued("t2", queue: "Other", at: "2024-03-12T09:00:10Z", wait: 1, answered: true, method: "QUEUE_TRANSFER", previous: "t"),
        ])
        let q = try transfer.run("queue-duration")
        #expect(q.value("Q", "contacts_queued") == .integer(3))
        #expect(number(q.value("Q", "service_level_pct")) == 66.67)
        #expect(number(q.value("Q", "answered_in_sl_pct")) == 33.33)
        #expect(try transfer.run("abandonment").value("Q", "transferred") == .integer(1))
    }

    @Test("abandoned_short counts abandoned legs with queue_s < --short-abandon")
    func shortAbandon() throws {
        let fixture = try ReportFixture(Self.waits([2, 4, 5, 9], answered: false) + Self.waits([1], prefix: "answered"))
        let r = try fixture.run("abandonment")
        #expect(r.value("Q", "abandoned") == .integer(4))
        #expect(r.value("Q", "abandoned_short") == .integer(2))
        #expect(number(r.value("Q", "avg_abandon_s")) == 5)
        #expect(number(r.value("Q", "abandon_rate_pct")) == 80)
        #expect(try fixture.run("abandonment") { $0.shortAbandonSeconds = 10 }.value("Q", "abandoned_short") == .integer(4))
        #expect(try fixture.run("abandonment") { $0.shortAbandonSeconds = 0 }.value("Q", "abandoned_short") == .integer(0))
        #expect(try fixture.run("abandonment") { $0.shortAbandonSeconds = 5 }.value("Q", "abandoned_short") == .integer(2))
    }
}

@Suite("ReportRunner: time zones and intervals")
struct TimeZoneReportTests {
    static func legs(disconnectingAt times: [String], queue: String = "Q") -> [FixtureLeg] {
        times.enumerated().map { index, time in
            .queued("tz\(index)", queue: queue, at: FixtureLeg.shift(time, by: -70), wait: 10, answered: true)
        }
    }

    static func counts(_ r: ReportResult) -> [String] {
        r.rows.map { "\($0[r.column("interval_start")].plainText) \($0[r.column("contacts_queued")].plainText)" }
    }

    @Test("America/New_York, 2024-03-10: a 23-hour day")
    func springForward() throws {
        let fixture = try ReportFixture(Self.legs(disconnectingAt: [
            "2024-03-10T04:59:00Z", "2024-03-10T05:00:00Z", "2024-03-11T03:59:00Z", "2024-03-11T04:00:00Z",
        ]))
        #expect(Self.counts(try fixture.run("queue-duration") { $0.timeZone = ny }) == [
            "2024-03-09T00:00:00-05:00 1", "2024-03-10T00:00:00-05:00 2", "2024-03-11T00:00:00-04:00 1",
        ])
        #expect(Self.counts(try fixture.run("queue-duration") { $0.timeZone = ny; $0.interval = .hour }) == [
            "2024-03-09T23:00:00-05:00 1", "2024-03-10T00:00:00-05:00 1", "2024-03-10T23:00:00-04:00 1", "2024-03-11T00:00:00-04:00 1",
        ])
    }

    @Test("America/New_York, 2024-11-03: a 25-hour day, and two distinct 01:00 hours")
    func fallBack() throws {
        let fixture = try ReportFixture(Self.legs(disconnectingAt: [
            "2024-11-03T03:59:00Z", "2024-11-03T04:00:00Z", "2024-11-03T05:30:00Z", "2024-11-03T06:30:00Z", "2024-11-04T04:59:00Z",
            "2024-11-04T05:00:00Z",
        ]))
        #expect(Self.counts(try fixture.run("abandonment") { $0.timeZone = ny }) == [
            "2024-11-02T00:00:00-04:00 1", "2024-11-03T00:00:00-04:00 4", "2024-11-04T00:00:00-05:00 1",
        ])
        let hours = try fixture.run("abandonment") { $0.timeZone = ny; $0.interval = .hour }
        #expect(Self.counts(hours) == [
            "2024-11-02T23:00:00-04:00 1", "2024-11-03T00:00:00-04:00 1", "2024-11-03T01:00:00-04:00 1", "2024-11-03T01:00:00-05:00 1",
            "2024-11-03T23:00:00-05:00 1", "2024-11-04T00:00:00-05:00 1",
        ])
        let halfHours = try fixture.run("abandonment") { $0.timeZone = ny; $0.interval = .minutes30 }
        #expect(halfHours.texts("interval_start").contains("2024-11-03T01:30:00-04:00"))
        #expect(halfHours.texts("interval_start").contains("2024-11-03T01:30:00-05:00"))
    }

    @Test("--from/--to are local times in --tz; --from inclusive, --to exclusive")
    func localBoundaries() throws {
        let fixture = try ReportFixture(Self.legs(disconnectingAt: [
            "2024-03-12T03:59:59Z", "2024-03-12T04:00:00Z", "2024-03-13T03:59:59Z", "2024-03-13T04:00:00Z",
        ]))
        let day = try fixture.run("queue-duration") { $0.timeZone = ny; $0.from = "2024-03-12"; $0.to = "2024-03-13" }
        #expect(Self.counts(day) == ["2024-03-12T00:00:00-04:00 2"])
        let utc = try fixture.run("queue-duration") { $0.from = "2024-03-12"; $0.to = "2024-03-13" }
        #expect(Self.counts(utc) == ["2024-03-12T00:00:00+00:00 2"])
        let timed = try fixture.run("queue-duration") { $0.timeZone = ny; $0.from = "2024-03-11T23:59:59"; $0.to = "2024-03-12 23:59:59" }
        #expect(Self.counts(timed) == ["2024-03-11T00:00:00-04:00 1", "2024-03-12T00:00:00-04:00 1"])
        let instants = try fixture.run("queue-duration") { $0.timeZone = ny; $0.from = "2024-03-12T04:00:00Z"; $0.to = "2024-03-13T00:00:00-04:00" }
        #expect(Self.counts(instants) == ["2024-03-12T00:00:00-04:00 2"])
        let fractional = try fixture.run("queue-duration") { $0.timeZone = ny; $0.from = "2024-03-12T00:00:00.000"; $0.to = "2024-03-13T00:00:00.000" }
        #expect(Self.counts(fractional) == ["2024-03-12T00:00:00-04:00 2"])
    }

    @Test("bad boundaries and an empty range are errors")
    func badBoundaries() throws {
        let fixture = try ReportFixture(Self.legs(disconnectingAt: ["2024-03-12T10:00:00Z"]))
        #expect(throws: ReportError.badBoundary(option: "--from", value: "yesterday")) { try fixture.run("queue-duration") { $0.from = "yesterday" } }
        #expect(throws: ReportError.emptyRange(from: "2024-03-13", to: "2024-03-12")) {
            try fixture.run("queue-duration") { $0.from = "2024-03-13"; $0.to = "2024-03-12" }
        }
        #expect(throws: ReportError.badTimeZone("Mars/Olympus")) { try fixture.run("queue-duration") { $0.timeZone = "Mars/Olympus" } }
    }

    @Test("--interval 1w starts on Monday, in the report time zone")
    func weeks() throws {
        let fixture = try ReportFixture(Self.legs(disconnectingAt: [
            "2024-03-13T12:00:00Z", "2024-03-17T23:00:00Z", "2024-03-18T00:30:00Z", "2024-03-10T12:00:00Z",
        ]))
        #expect(Self.counts(try fixture.run("queue-duration") { $0.interval = .week }) == [
            "2024-03-04T00:00:00+00:00 1", "2024-03-11T00:00:00+00:00 2", "2024-03-18T00:00:00+00:00 1",
        ])
        // in New York, 2024-03-18T00:30Z is still Sunday the 17th
        #expect(Self.counts(try fixture.run("queue-duration") { $0.interval = .week; $0.timeZone = ny }) == [
            "2024-03-04T00:00:00-05:00 1", "2024-03-11T00:00:00-04:00 3",
        ])
    }

    @Test("--interval total: interval_start is --from, else the earliest bucketed time")
    func total() throws {
        let fixture = try ReportFixture(Self.legs(disconnectingAt: ["2024-03-12T11:37:00Z", "2024-03-14T10:00:00Z"]))
        #expect(Self.counts(try fixture.run("queue-duration") { $0.interval = .total }) == ["2024-03-12T11:37:00+00:00 2"])
        #expect(Self.counts(try fixture.run("queue-duration") { $0.interval = .total; $0.timeZone = ny }) == ["2024-03-12T07:37:00-04:00 2"])
        #expect(Self.counts(try fixture.run("queue-duration") { $0.interval = .total; $0.timeZone = ny; $0.from = "2024-03-01" }) == [
            "2024-03-01T00:00:00-05:00 2",
        ])
        #expect(Self.counts(try fixture.run("queue-duration") { $0.interval = .total; $0.from = "2024-03-13" }) == ["2024-03-13T00:00:00+00:00 1"])
        #expect(try fixture.run("queue-duration") { $0.interval = .total; $0.from = "2025-01-01" }.rows.isEmpty)
        #expect(try fixture.run("whisper") { $0.interval = .total }.rows.isEmpty)
        // the earliest is over every queue: --queue keeps the unfiltered report's interval_start
        let mixed = try ReportFixture(Self.legs(disconnectingAt: ["2024-03-12T11:37:00Z"], queue: "Early")
            + Self.legs(disconnectingAt: ["2024-03-14T10:00:00Z"], queue: "Late").map { var leg = $0; leg.id += "-late"; return leg })
        #expect(Self.counts(try mixed.run("queue-duration") { $0.interval = .total; $0.queues = ["Late"] }) == ["2024-03-12T11:37:00+00:00 1"])
    }

    @Test("15m and 30m intervals align to the local wall clock, also in a +05:45 zone")
    func subHour() throws {
        let fixture = try ReportFixture(Self.legs(disconnectingAt: ["2024-03-12T10:07:00Z", "2024-03-12T10:22:00Z", "2024-03-12T10:44:00Z"]))
        #expect(Self.counts(try fixture.run("queue-duration") { $0.interval = .minutes15 }) == [
            "2024-03-12T10:00:00+00:00 1", "2024-03-12T10:15:00+00:00 1", "2024-03-12T10:30:00+00:00 1",
        ])
        #expect(Self.counts(try fixture.run("queue-duration") { $0.interval = .minutes30 }) == [
            "2024-03-12T10:00:00+00:00 2", "2024-03-12T10:30:00+00:00 1",
        ])
        // 10:07Z is 15:52 in Kathmandu
        #expect(Self.counts(try fixture.run("queue-duration") { $0.interval = .hour; $0.timeZone = "Asia/Kathmandu" }) == [
            "2024-03-12T15:00:00+05:45 1", "2024-03-12T16:00:00+05:45 2",
        ])
    }
}

@Suite("ReportRunner: properties")
struct PropertyReportTests {
    static let countColumns: [String: [String]] = [
        "queue-duration": ["contacts_queued", "contacts_answered"],
        "abandonment": ["contacts_queued", "abandoned", "abandoned_short", "callback_requested", "transferred", "unresolved"],
        "whisper": ["callbacks_dequeued", "callbacks_connected"],
        "callbacks": ["callbacks_requested", "callbacks_answered"],
    ]
    static let maxColumns: [String: [String]] = [
        "queue-duration": ["max_queue_s"],
        "whisper": ["max_agent_whisper_s", "max_outbound_whisper_s"],
    ]

    static let fixture = Result { try ReportFixture(generatedJourneys(count: 400, start: "2024-11-01T00:00:00Z", days: 5, seed: 42)) }

    /// Per queue: the sum of `column` over all rows.
    static func sums(_ r: ReportResult, _ column: String) -> [String: Int64] {
        var out: [String: Int64] = [:]
        for row in r.rows {
            guard case let .integer(v) = row[r.column(column)] else { continue }
            out[row[r.column("queue")].plainText, default: 0] += v
        }
        return out
    }

    static func maxima(_ r: ReportResult, _ column: String) -> [String: Double] {
        var out: [String: Double] = [:]
        for row in r.rows {
            guard let v = number(row[r.column(column)]) else { continue }
            out[row[r.column("queue")].plainText] = max(out[row[r.column("queue")].plainText] ?? -.infinity, v)
        }
        return out
    }

    @Test("every count column: sum over 1h = sum over 1d = total, per queue; maxima agree too",
          arguments: ["queue-duration", "abandonment", "whisper", "callbacks"], ReportParameters.Placement.allCases)
    func intervalsAddUp(report: String, placement: ReportParameters.Placement) throws {
        let fixture = try Self.fixture.get()
        func run(_ interval: ReportInterval, _ zone: String) throws -> ReportResult {
            try fixture.run(report) { $0.interval = interval; $0.timeZone = zone; $0.placement = placement }
        }
        let total = try run(.total, ny)
        #expect(!total.rows.isEmpty)
        #expect(Set(total.texts("interval_start")).count == 1)
        for zone in [ny, "UTC"] {
            for interval in [ReportInterval.minutes15, .hour, .day, .week] {
                let r = try run(interval, zone)
                for column in Self.countColumns[report]! {
                    #expect(Self.sums(r, column) == Self.sums(total, column), "\(report) \(column) \(interval) \(zone)")
                    #expect(Self.sums(r, column).values.allSatisfy { $0 >= 0 })
                }
                for column in Self.maxColumns[report] ?? [] {
                    #expect(Self.maxima(r, column) == Self.maxima(total, column), "\(report) \(column) \(interval) \(zone)")
                }
                // rows are sorted by interval (as an instant), then queue, and unique per pair
                let keys = r.rows.map { (Timestamp.parse($0[0].plainText)!.epochSeconds, $0[1].plainText) }
                #expect(zip(keys, keys.dropFirst()).allSatisfy { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }, "\(report) \(interval) \(zone)")
            }
        }
        let quality = try fixture.run("quality")
        #expect(try fixture.run("quality") { $0.interval = .hour; $0.timeZone = ny; $0.placement = placement }.rows == quality.rows)
    }

    @Test("--queue X gives exactly the X rows of the unfiltered report, for every interval", arguments: ["queue-duration", "abandonment", "whisper", "callbacks"])
    func queueFilter(report: String) throws {
        let fixture = try Self.fixture.get()
        for interval in ReportInterval.allCases {
            let all = try fixture.run(report) { $0.interval = interval; $0.timeZone = ny }
            #expect(!all.rows.isEmpty)
            for queue in Set(all.texts("queue")) {
                let filtered = try fixture.run(report) { $0.interval = interval; $0.timeZone = ny; $0.queues = [queue] }
                #expect(filtered.rows == all.rowsFor(queue), "\(report) \(queue) \(interval)")
            }
            let two = try fixture.run(report) { $0.interval = interval; $0.timeZone = ny; $0.queues = ["Sales", "Support", "Sales"] }
            #expect(two.rows == all.rows.filter { ["Sales", "Support"].contains($0[1].plainText) }, "\(report) \(interval)")
            #expect(Set(two.texts("queue")) == Set(["Sales", "Support"]).intersection(Set(all.texts("queue"))))
        }
    }

    @Test("SQL in --queue is a name that matches nothing", arguments: ["x' OR 1=1 --", "Sales' OR '1'='1", "\") OR 1=1; DROP TABLE contacts; --", "Sales\"]"])
    func queueInjection(name: String) throws {
        let fixture = try Self.fixture.get()
        for report in ["queue-duration", "abandonment", "whisper", "callbacks"] {
            #expect(try fixture.run(report) { $0.queues = [name] }.rows.isEmpty, "\(report)")
            #expect(try fixture.run(report) { $0.queues = [name, "Sales"] }.rows == (try fixture.run(report) { $0.queues = ["Sales"] }.rows))
        }
        let quality = try fixture.run("quality") { $0.queues = [name] }
        for check in ["duration_mismatch", "missing_queue_duration", "negative_whisper_gap", "missing_next"] {
            #expect(quality.value(check, "count") == .integer(0))
        }
        #expect(try fixture.scalar("SELECT COUNT(*) FROM contacts WHERE queue_name = 'Sales'") != 0.databaseValue)
    }

    @Test("a queue name with quotes, commas, a newline and = is kept exactly")
    func awkwardQueueName() throws {
        let name = "=Sales, \"EU\"\nline 2 'x'"
        let fixture = try ReportFixture([.queued("q1", queue: name, at: "2024-03-12T10:00:00Z", wait: 5, answered: true)])
        #expect(try fixture.run("queue-duration").texts("queue") == [name])
        #expect(try fixture.run("queue-duration") { $0.queues = [name] }.texts("queue") == [name])
    }
}
