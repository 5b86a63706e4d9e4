import Foundation
@testable import CTRKit

/// A realistic day for the page tests: a morning and an afternoon peak, queues that answer
/// well and badly, callbacks, whisper gaps, a history to compare with, and queue names that
/// try to break the page.
enum SyntheticNightlyDay {
    static let hostileQueues = ["<script>alert(1)</script>", "=HYPERLINK(\"http://x\",\"y\")"]
    static let queues = ["Sales", "Support, \"Tier 2\"|EU", "Billing & Accounts"] + hostileQueues
        + ["Retentions-and-cancellations-for-business-customers-in-the-northern-region"]

    /// `intervalMinutes` of 60 gives the 24 intervals of a nightly run; 15 gives 96.
    static func make(queues: [String] = queues, intervalMinutes: Int = 60, seed: UInt64 = 7) -> NightlyDay {
        var random = SplitMix64(seed: seed)
        let count = 24 * 60 / intervalMinutes
        let dayStart: Int64 = 1_773_270_000 // 2026-03-12T00:00:00+01:00
        var allIntervals = (0..<count).map { index in
            IntervalFigures(start: label(index, minutes: intervalMinutes), epoch: dayStart + Int64(index * intervalMinutes * 60))
        }
        var headlines: [QueueHeadline] = []
        var series: [QueueSeries] = []
        var totals = HeadlineFigures()
        var p90s: [Int] = []
        var totalLevelWeight = 0.0
        for (queueIndex, queue) in queues.enumerated() {
            let size = Double(queueIndex % 4 + 1) * 15 * Double(intervalMinutes) / 60
            var intervals: [IntervalFigures] = []
            var figures = HeadlineFigures()
            var waits: [Int] = []
            var levelWeight = 0.0
            for index in 0..<count {
                let hour = Double(index * intervalMinutes) / 60
                let demand = max(0, exp(-pow(hour - 10.5, 2) / 4) + 0.8 * exp(-pow(hour - 15, 2) / 5) - 0.05)
                let queued = Int((size * demand * Double.random(in: 0.7...1.3, using: &random)).rounded())
                let abandoned = Int((Double(queued) * demand * 0.25).rounded())
                let requested = queued > 3 ? Int.random(in: 0...(queued / 3), using: &random) : 0
                let answeredCallbacks = requested > 0 ? Int.random(in: 0...requested, using: &random) : 0
                let p50 = queued > 0 ? Int(5 + 40 * demand) : nil
                let p90 = p50.map { $0 * 3 + Int.random(in: 0...20, using: &random) }
                let level = queued > 0 ? (100 * (1 - demand * 0.6) * 100).rounded() / 100 : nil
                let interval = IntervalFigures(
                    start: allIntervals[index].start, epoch: allIntervals[index].epoch, contactsQueued: queued, abandoned: abandoned,
                    p50QueueS: p50, p90QueueS: p90, serviceLevelPct: level, callbacksRequested: requested,
                    callbacksAnswered: answeredCallbacks,
                    avgTimeToAgentS: answeredCallbacks > 0 ? Double(300 + Int.random(in: 0...1500, using: &random)) + 0.25 : nil,
                    avgAgentWhisperS: answeredCallbacks > 0 ? Double(Int.random(in: 5...30, using: &random)) + 0.5 : nil,
                    avgOutboundWhisperS: answeredCallbacks > 0 ? Double(Int.random(in: 8...25, using: &random)) : nil)
                intervals.append(interval)
                allIntervals[index].contactsQueued += queued
                allIntervals[index].abandoned += abandoned
                allIntervals[index].callbacksRequested += requested
                allIntervals[index].callbacksAnswered += answeredCallbacks
                if let p50, let p90 {
                    allIntervals[index].p50QueueS = max(allIntervals[index].p50QueueS ?? 0, p50)
                    allIntervals[index].p90QueueS = max(allIntervals[index].p90QueueS ?? 0, p90)
                }
                allIntervals[index].serviceLevelPct = level.map { min(allIntervals[index].serviceLevelPct ?? 100, $0) } ?? allIntervals[index].serviceLevelPct
                allIntervals[index].avgTimeToAgentS = interval.avgTimeToAgentS ?? allIntervals[index].avgTimeToAgentS
                allIntervals[index].avgAgentWhisperS = interval.avgAgentWhisperS ?? allIntervals[index].avgAgentWhisperS
                allIntervals[index].avgOutboundWhisperS = interval.avgOutboundWhisperS ?? allIntervals[index].avgOutboundWhisperS
                figures.contactsQueued += queued
                figures.abandoned += abandoned
                figures.callbacksRequested += requested
                figures.callbacksAnswered += answeredCallbacks
                waits += p90.map { [$0] } ?? []
                levelWeight += (level ?? 0) * Double(queued)
            }
            figures.contactsAnswered = figures.contactsQueued - figures.abandoned - figures.callbacksRequested
            if figures.contactsQueued > 0 {
                let queued = Double(figures.contactsQueued)
                figures.abandonRatePct = round2(100 * Double(figures.abandoned) / queued)
                figures.serviceLevelPct = round2(levelWeight / queued)
                totalLevelWeight += levelWeight
                figures.answeredInSLPct = round2((figures.serviceLevelPct ?? 0) - 8.5)
                figures.avgAnswerS = round2(Double(waits.reduce(0, +)) / Double(max(waits.count, 1)) / 3)
                figures.p90QueueS = waits.max()
                p90s += waits
            }
            if figures.callbacksAnswered > 0 { figures.avgTimeToAgentS = 812.37 + Double(queueIndex) }
            totals.contactsQueued += figures.contactsQueued
            totals.contactsAnswered += figures.contactsAnswered
            totals.abandoned += figures.abandoned
            totals.callbacksRequested += figures.callbacksRequested
            totals.callbacksAnswered += figures.callbacksAnswered
            // the first queue is new: no history to compare with
            let history = queueIndex == 0 ? nil : FigureAverages(days: [scaled(figures, 0.9), scaled(figures, 1.2)])
            headlines.append(QueueHeadline(queue: queue, figures: figures, weekBefore: history))
            series.append(QueueSeries(queue: queue, intervals: intervals))
        }
        let queued = Double(max(totals.contactsQueued, 1))
        totals.abandonRatePct = round2(100 * Double(totals.abandoned) / queued)
        totals.serviceLevelPct = round2(totalLevelWeight / queued)
        totals.answeredInSLPct = round2((totals.serviceLevelPct ?? 0) - 8.5)
        totals.avgAnswerS = 23.45
        totals.p90QueueS = p90s.max()
        totals.avgTimeToAgentS = 845.5
        headlines.append(QueueHeadline(queue: nil, figures: totals,
                                       weekBefore: FigureAverages(days: [scaled(totals, 0.95), scaled(totals, 0.85), totals])))
        series.append(QueueSeries(queue: nil, intervals: allIntervals))
        let quality = [
            QualityCheck(check: "duration_mismatch", count: 3, exampleContactId: "c7a1e3b0-0002-4000-8000-000000000002"),
            QualityCheck(check: "missing_queue_duration", count: 0),
            QualityCheck(check: "negative_whisper_gap", count: 1, exampleContactId: "it's <odd> & \"quoted\""),
            QualityCheck(check: "missing_parent", count: 0),
            QualityCheck(check: "missing_next", count: 2, exampleContactId: "5b9e0f7c-1d1a-4c55-9a51-0c0d8f1e2a3b"),
            QualityCheck(check: "cycle", count: 0),
            QualityCheck(check: "duplicate_deliveries", count: 17, exampleContactId: "0f6c2a44-7a5e-4b0e-8f0c-2c1d5e6f7a8b"),
            QualityCheck(check: "conflicting_versions", count: 0),
            QualityCheck(check: "rejected_records", count: 0),
            QualityCheck(check: "partial_files", count: 0),
        ]
        return NightlyDay(day: "2026-03-12", timeZone: "Europe/Paris", interval: intervalMinutes == 60 ? "1h" : "\(intervalMinutes)m",
                          headlines: headlines, series: series, quality: quality, database: "/var/lib/ctrdb/ctr.db")
    }

    /// The busy day of the size bound: 96 intervals of 20 queues.
    static func busy() -> NightlyDay {
        make(queues: (1...20).map { "Queue \($0) <&> \"quoted\"" }, intervalMinutes: 15, seed: 11)
    }

    static func label(_ index: Int, minutes: Int) -> String {
        let total = index * minutes
        return "2026-03-12T" + two(total / 60) + ":" + two(total % 60) + ":00+01:00"
    }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }

    private static func round2(_ value: Double) -> Double { (value * 100).rounded() / 100 }

    private static func scaled(_ figures: HeadlineFigures, _ factor: Double) -> HeadlineFigures {
        var f = figures
        f.contactsQueued = Int(Double(f.contactsQueued) * factor)
        f.contactsAnswered = Int(Double(f.contactsAnswered) * factor)
        f.abandoned = Int(Double(f.abandoned) * factor)
        f.abandonRatePct = f.abandonRatePct.map { round2($0 * factor) }
        f.serviceLevelPct = f.serviceLevelPct.map { round2(min(100, $0 / factor)) }
        f.answeredInSLPct = f.answeredInSLPct.map { round2(min(100, $0 / factor)) }
        f.avgAnswerS = f.avgAnswerS.map { round2($0 * factor) }
        f.p90QueueS = f.p90QueueS.map { Int(Double($0) * factor) }
        f.avgTimeToAgentS = f.avgTimeToAgentS.map { round2($0 * factor) }
        return f
    }
}
