import Foundation
import GRDB

/// The options of one nightly pack (SPEC section 9): the report options narrowed to a day.
public struct NightlyParameters: Sendable {
    /// Chart intervals the page can draw: a day of 15-minute to hourly intervals.
    public enum Interval: String, CaseIterable, Sendable {
        case minutes15 = "15m", minutes30 = "30m", hour = "1h"
        var reportInterval: ReportInterval { ReportInterval(rawValue: rawValue)! }
    }

    /// `YYYY-MM-DD`, `yesterday` or `today` in the report time zone.
    public var day = "yesterday"
    public var interval = Interval.hour
    /// The time zone, queues and thresholds every report of the pack runs with.
    public var report = ReportParameters()
    /// How many days before `day` the headline figures are compared with.
    public var historyDays = 7

    public init() {}

    var timeZone: String { report.timeZone }

    /// The report options of one day at one interval.
    func reportParameters(day: String, interval: ReportInterval) -> ReportParameters {
        var parameters = report
        parameters.day = day
        parameters.interval = interval
        return parameters
    }
}

/// Builds one day's report pack from the database: the CSV of every report (byte for byte
/// `ctrdb report NAME --day ... --format csv`), `summary.json` and the page, which
/// `DayPack` then writes. Reads only; every figure is computed from the legs by SQL in
/// `Queries/` (`_nightly.sql` for the headline figures and the charts).
public struct NightlyReport {
    public let catalog: ReportCatalog
    public let parameters: NightlyParameters

    public init(catalog: ReportCatalog, parameters: NightlyParameters) {
        self.catalog = catalog
        self.parameters = parameters
    }

    /// The civil day the pack is for (`yesterday` and `today` resolved now).
    public func resolvedDay(now: Date = Date()) throws -> String {
        guard let zone = TimeZone(identifier: parameters.timeZone) else { throw ReportError.badTimeZone(parameters.timeZone) }
        guard let resolved = CivilDay.resolve(parameters.day, in: zone, now: now) else { throw ReportError.badDay(parameters.day) }
        return resolved.day
    }

    /// The pack's files, name -> bytes: one CSV per report, `summary.json` and `index.html`.
    public func files(for day: String, database: String?, in db: Database) throws -> [String: [UInt8]] {
        let runner = ReportRunner(catalog: catalog)
        var files: [String: [UInt8]] = [:]
        let options = OutputOptions(format: .csv)
        for report in catalog.reports {
            let sink = MemorySink()
            try runner.run(report, parameters: parameters.reportParameters(day: day, interval: parameters.interval.reportInterval),
                           in: db, to: options.makeWriter(sink))
            files[report.name + ".csv"] = sink.bytes
        }
        let model = try nightlyDay(day, database: database, in: db)
        files["summary.json"] = SummaryJSON.encode(model)
        files["index.html"] = Array(NightlyPage.render(model).utf8)
        return files
    }

    /// The page's model: headline figures beside the days before, interval series, quality.
    public func nightlyDay(_ day: String, database: String? = nil, in db: Database) throws -> NightlyDay {
        let headline = try figures(day: day, interval: .total, in: db)
        var history: [String: [HeadlineFigures]] = [:]  // "" is all queues
        for offset in 1...max(1, parameters.historyDays) {
            let earlier = try shift(day, by: -Int64(offset))
            for row in try figures(day: earlier, interval: .total, in: db) {
                history[row.queue ?? "", default: []].append(row.headline)
            }
        }
        var headlines = headline.map { row in
            QueueHeadline(queue: row.queue, figures: row.headline, weekBefore: FigureAverages(days: history[row.queue ?? ""] ?? []))
        }
        if !headlines.contains(where: { $0.queue == nil }) {
            headlines.append(QueueHeadline(queue: nil, figures: HeadlineFigures(), weekBefore: FigureAverages(days: history[""] ?? [])))
        }

        let rows = try figures(day: day, interval: parameters.interval.reportInterval, in: db)
        let slots = try intervals(of: day)
        var byQueue: [String?: [Int64: IntervalFigures]] = [nil: [:]]
        for row in rows { byQueue[row.queue, default: [:]][row.epoch] = row.interval }
        let series = byQueue.map { queue, cells in
            QueueSeries(queue: queue, intervals: slots.map { slot in cells[slot.epoch] ?? IntervalFigures(start: slot.label, epoch: slot.epoch) })
        }

        let quality = CollectingRows()
        try ReportRunner(catalog: catalog).run(try catalog.report(named: "quality"),
                                               parameters: parameters.reportParameters(day: day, interval: .total), in: db, to: quality)
        let checks = quality.rows.map { row in
            QualityCheck(check: row[0].plainText, count: Int(row[1].integer ?? 0), exampleContactId: row[2] == .null ? nil : row[2].plainText)
        }
        return NightlyDay(day: day, timeZone: parameters.timeZone, interval: parameters.interval.rawValue,
                          serviceLevelSeconds: parameters.report.serviceLevelSeconds, shortAbandonSeconds: parameters.report.shortAbandonSeconds,
                          headlines: headlines, series: series, quality: checks, database: database)
    }

    /// One row of `_nightly.sql`.
    struct ScopeRow {
        var queue: String?
        var epoch: Int64
        var headline: HeadlineFigures
        var interval: IntervalFigures
    }

    private func figures(day: String, interval: ReportInterval, in db: Database) throws -> [ScopeRow] {
        let collector = CollectingRows()
        try ReportRunner(catalog: catalog).runHelper("_nightly.sql", parameters: parameters.reportParameters(day: day, interval: interval),
                                                     in: db, to: collector)
        let c = collector
        return collector.rows.map { row in
            func int(_ name: String) -> Int { Int(row[c.index(name)].integer ?? 0) }
            func optionalInt(_ name: String) -> Int? { row[c.index(name)].integer.map(Int.init) }
            func real(_ name: String) -> Double? { row[c.index(name)].number }
            let queue = row[c.index("queue")] == .null ? nil : row[c.index("queue")].plainText
            let headline = HeadlineFigures(
                contactsQueued: int("contacts_queued"), contactsAnswered: int("contacts_answered"), abandoned: int("abandoned"),
                abandonRatePct: real("abandon_rate_pct"), serviceLevelPct: real("service_level_pct"), answeredInSLPct: real("answered_in_sl_pct"),
                avgAnswerS: real("avg_answer_s"), p90QueueS: optionalInt("p90_queue_s"), callbacksRequested: int("callbacks_requested"),
                callbacksAnswered: int("callbacks_answered"), avgTimeToAgentS: real("avg_time_to_agent_s"))
            let epoch = row[c.index("interval_epoch")].integer ?? 0
            let figures = IntervalFigures(
                start: row[c.index("interval_start")].plainText, epoch: epoch, contactsQueued: int("contacts_queued"),
                abandoned: int("abandoned"), p50QueueS: optionalInt("p50_queue_s"), p90QueueS: optionalInt("p90_queue_s"),
                serviceLevelPct: real("service_level_pct"), callbacksRequested: int("callbacks_requested"),
                callbacksAnswered: int("callbacks_answered"), avgTimeToAgentS: real("avg_time_to_agent_s"),
                avgAgentWhisperS: real("avg_agent_whisper_s"), avgOutboundWhisperS: real("avg_outbound_whisper_s"))
            return ScopeRow(queue: queue, epoch: epoch, headline: headline, interval: figures)
        }
    }

    /// Every interval of the civil day, in order: 23 or 25 hours on a DST day.
    func intervals(of day: String) throws -> [(epoch: Int64, label: String)] {
        guard let zone = TimeZone(identifier: parameters.timeZone) else { throw ReportError.badTimeZone(parameters.timeZone) }
        let bucketer = IntervalBucketer(interval: parameters.interval.reportInterval, timeZone: zone)
        guard let start = bucketer.parseBoundary(day), let end = bucketer.parseBoundary(try shift(day, by: 1)),
              let size = parameters.interval.reportInterval.fixedSeconds else { throw ReportError.badDay(day) }
        var slots: [(Int64, String)] = []
        var t = bucketer.intervalStart(start)
        while t < end {
            slots.append((t, bucketer.format(t)))
            t = bucketer.intervalStart(t + size)
        }
        return slots
    }

    private func shift(_ day: String, by days: Int64) throws -> String {
        guard let shifted = CivilDay.shift(day, by: days) else { throw ReportError.badDay(day) }
        return shifted
    }
}
