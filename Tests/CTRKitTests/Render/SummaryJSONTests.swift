import Foundation
import Testing
@testable import CTRKit

@Suite struct SummaryJSONTests {
    private let day = NightlyDay(
        day: "2026-03-12", timeZone: "Europe/Paris", interval: "1h", serviceLevelSeconds: 30, shortAbandonSeconds: 4,
        headlines: [
            QueueHeadline(queue: "Sales", figures: HeadlineFigures(
                contactsQueued: 3, contactsAnswered: 2, abandoned: 1, abandonRatePct: 100.0 / 3, serviceLevelPct: 200.0 / 3,
                answeredInSLPct: 0.125, avgAnswerS: 120, p90QueueS: 45, callbacksRequested: 0, callbacksAnswered: 0,
                avgTimeToAgentS: nil)),
            QueueHeadline(queue: nil, figures: HeadlineFigures(
                contactsQueued: 4, contactsAnswered: 2, abandoned: 1, abandonRatePct: 25, serviceLevelPct: 50,
                answeredInSLPct: 0, avgAnswerS: 120, p90QueueS: 45, callbacksRequested: 1, callbacksAnswered: 1,
                avgTimeToAgentS: 260.0071),
                weekBefore: FigureAverages(days: [HeadlineFigures(contactsQueued: 9)])),
            QueueHeadline(queue: "Support \"2\"\n", figures: HeadlineFigures(contactsQueued: 1, contactsAnswered: 0, abandoned: 0)),
        ],
        series: [], quality: [])

    @Test func bytesArePinned() {
        let text = String(decoding: SummaryJSON.encode(day), as: UTF8.self)
        #expect(text == """
        {"day":"2026-03-12","tz":"Europe/Paris","interval":"1h","sl":30,"short_abandon":4,"queues":[
        {"queue":null,"contacts_queued":4,"contacts_answered":2,"abandoned":1,"abandon_rate_pct":25.0,"service_level_pct":50.0,"answered_in_sl_pct":0.0,"avg_answer_s":120.0,"p90_queue_s":45,"callbacks_requested":1,"callbacks_answered":1,"avg_time_to_agent_s":260.01},
        {"queue":"Sales","contacts_queued":3,"contacts_answered":2,"abandoned":1,"abandon_rate_pct":33.33,"service_level_pct":66.67,"answered_in_sl_pct":0.13,"avg_answer_s":120.0,"p90_queue_s":45,"callbacks_requested":0,"callbacks_answered":0,"avg_time_to_agent_s":null},
        {"queue":"Support \\"2\\"\\n","contacts_queued":1,"contacts_answered":0,"abandoned":0,"abandon_rate_pct":null,"service_level_pct":null,"answered_in_sl_pct":null,"avg_answer_s":null,"p90_queue_s":null,"callbacks_requested":0,"callbacks_answered":0,"avg_time_to_agent_s":null}
        ]}

        """)
        #expect(SummaryJSON.encode(day) == SummaryJSON.encode(day))
    }

    @Test func everyObjectHasExactlyTheSpecFieldsInOrder() throws {
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(SummaryJSON.encode(day))) as? [String: Any])
        let queues = try #require(parsed["queues"] as? [[String: Any]])
        let spec = ["contacts_queued", "contacts_answered", "abandoned", "abandon_rate_pct", "service_level_pct", "answered_in_sl_pct",
                    "avg_answer_s", "p90_queue_s", "callbacks_requested", "callbacks_answered", "avg_time_to_agent_s"]
        #expect(HeadlineFigure.allCases.map(\.rawValue) == spec)
        for object in queues { #expect(Set(object.keys) == Set(["queue"] + spec)) }
        #expect(queues.first?["queue"] is NSNull)
        #expect(parsed["day"] as? String == "2026-03-12")
    }

    @Test func numbersRoundHalfAwayFromZero() {
        #expect(SummaryJSON.number(0.125) == "0.13")
        #expect(SummaryJSON.number(-0.125) == "-0.13")
        #expect(SummaryJSON.number(-0.001) == "0.0")
        #expect(SummaryJSON.number(12.5) == "12.5")
        #expect(SummaryJSON.number(.nan) == "null")
        #expect(SummaryJSON.number(nil) == "null")
    }

    @Test func aSummaryReadsBack() throws {
        let summary = try SummaryJSON.decode(SummaryJSON.encode(day))
        #expect(summary.day == "2026-03-12")
        #expect(summary.timeZone == "Europe/Paris")
        #expect(summary.headlines.map(\.queue) == [nil, "Sales", "Support \"2\"\n"])
        #expect(summary.allQueues?.contactsQueued == 4)
        #expect(summary.allQueues?.avgTimeToAgentS == 260.01)
        #expect(summary.headlines[1].figures.abandonRatePct == 33.33)
        #expect(summary.headlines[2].figures.p90QueueS == nil)
        #expect(throws: (any Error).self) { try SummaryJSON.decode(Array("{\"day\":1}".utf8)) }
    }

    @Test func aDayWithNoQueueIsAnEmptyList() {
        let empty = NightlyDay(day: "2026-03-13", timeZone: "UTC", interval: "1h", headlines: [], series: [], quality: [])
        #expect(String(decoding: SummaryJSON.encode(empty), as: UTF8.self)
            == "{\"day\":\"2026-03-13\",\"tz\":\"UTC\",\"interval\":\"1h\",\"sl\":20,\"short_abandon\":5,\"queues\":[]}\n")
    }
}
