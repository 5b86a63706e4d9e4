import Foundation

/// `summary.json` of a day's pack: the headline figures of SPEC section 9, one object for
/// all queues together (`queue` null) and then one per queue in byte order of their names,
/// under the day and the options they were computed with:
///
/// ```json
/// {"day":"2026-03-12","tz":"Europe/Paris","interval":"1h","sl":20,"short_abandon":5,"queues":[
/// {"queue":null,"contacts_queued":120,...,"avg_time_to_agent_s":null},
/// {"queue":"Sales",...}
/// ]}
/// ```
///
/// Written by hand, not by `JSONEncoder`, so that the bytes are fixed: keys in SPEC order,
/// counts as integers, averages and percentages rounded to 2 decimals half away from zero
/// and written as `ctrdb report --format json` writes them (`33.33`, `120.0`), null for
/// nothing to measure, one queue per line. The 7-day averages are not in it: they are
/// history, not figures of the day.
public enum SummaryJSON {
    public static func encode(_ day: NightlyDay) -> [UInt8] {
        var out = "{\"day\":" + JSONText.quoted(day.day) + ",\"tz\":" + JSONText.quoted(day.timeZone)
            + ",\"interval\":" + JSONText.quoted(day.interval)
            + ",\"sl\":\(day.serviceLevelSeconds),\"short_abandon\":\(day.shortAbandonSeconds),\"queues\":["
        for (index, headline) in day.orderedHeadlines.enumerated() {
            out += (index == 0 ? "\n" : ",\n") + object(headline)
        }
        out += day.headlines.isEmpty ? "]}\n" : "\n]}\n"
        return Array(out.utf8)
    }

    private static func object(_ headline: QueueHeadline) -> String {
        let f = headline.figures
        let fields: [(HeadlineFigure, String)] = [
            (.contactsQueued, String(f.contactsQueued)), (.contactsAnswered, String(f.contactsAnswered)),
            (.abandoned, String(f.abandoned)), (.abandonRatePct, number(f.abandonRatePct)),
            (.serviceLevelPct, number(f.serviceLevelPct)), (.answeredInSLPct, number(f.answeredInSLPct)),
            (.avgAnswerS, number(f.avgAnswerS)), (.p90QueueS, f.p90QueueS.map(String.init) ?? "null"),
            (.callbacksRequested, String(f.callbacksRequested)), (.callbacksAnswered, String(f.callbacksAnswered)),
            (.avgTimeToAgentS, number(f.avgTimeToAgentS)),
        ]
        return "{\"queue\":" + (headline.queue.map(JSONText.quoted) ?? "null")
            + fields.map { ",\"\($0.0.rawValue)\":\($0.1)" }.joined() + "}"
    }

    /// Rounded to 2 decimals, half away from zero; the shortest text that reads back as that.
    static func number(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "null" }
        let rounded = (value * 100).rounded(.toNearestOrAwayFromZero) / 100
        return rounded == 0 ? "0.0" : rounded.description
    }

    /// A pack's summary read back (for `DIR/index.html` and for earlier days' figures).
    public struct Summary: Sendable, Equatable {
        public var day: String
        public var timeZone: String
        /// All queues first (`queue` nil), then each queue.
        public var headlines: [QueueHeadline]

        public var allQueues: HeadlineFigures? { headlines.first { $0.queue == nil }?.figures }
    }

    public static func decode(_ bytes: [UInt8]) throws -> Summary {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let document = try decoder.decode(Document.self, from: Data(bytes))
        return Summary(day: document.day, timeZone: document.tz, headlines: document.queues.map {
            QueueHeadline(queue: $0.queue, figures: HeadlineFigures(
                contactsQueued: $0.contactsQueued, contactsAnswered: $0.contactsAnswered, abandoned: $0.abandoned,
                abandonRatePct: $0.abandonRatePct, serviceLevelPct: $0.serviceLevelPct, answeredInSLPct: $0.answeredInSlPct,
                avgAnswerS: $0.avgAnswerS, p90QueueS: $0.p90QueueS, callbacksRequested: $0.callbacksRequested,
                callbacksAnswered: $0.callbacksAnswered, avgTimeToAgentS: $0.avgTimeToAgentS))
        })
    }

    private struct Document: Decodable {
        var day: String
        var tz: String
        var queues: [Row]
    }

    private struct Row: Decodable {
        var queue: String?
        var contactsQueued: Int
        var contactsAnswered: Int
        var abandoned: Int
        var abandonRatePct: Double?
        var serviceLevelPct: Double?
        var answeredInSlPct: Double?
        var avgAnswerS: Double?
        var p90QueueS: Int?
        var callbacksRequested: Int
        var callbacksAnswered: Int
        var avgTimeToAgentS: Double?
    }
}
