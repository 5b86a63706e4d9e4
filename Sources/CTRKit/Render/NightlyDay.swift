/// What the nightly page and `summary.json` show of one day: plain values that the nightly
/// command fills from the reports and hands to `NightlyPage`, `SummaryJSON` and `DayPack`.
/// Nothing here reads a database or a clock, so the same day always renders the same bytes.
public struct NightlyDay: Sendable, Equatable {
    /// The civil day, `YYYY-MM-DD`, in `timeZone`.
    public var day: String
    /// The IANA zone of the day and of the interval labels (`--tz`).
    public var timeZone: String
    /// The interval of the charts as the option spells it: `15m`, `30m` or `1h`.
    public var interval: String
    /// `--sl`: a leg is within the service level when its queue time is below this.
    public var serviceLevelSeconds: Int
    /// `--short-abandon`: abandoned legs that waited less than this are short abandons.
    public var shortAbandonSeconds: Int
    /// The service level the centre aims for, drawn as a line on the service-level chart
    /// (the usual "80 % within the threshold"; a goal, not a figure of the data).
    public var serviceLevelGoalPct: Double?
    /// The headline figures: one for all queues together (`queue` nil) and one per queue.
    public var headlines: [QueueHeadline]
    /// The interval series: one for all queues together (`queue` nil) and one per queue.
    public var series: [QueueSeries]
    /// The rows of the quality report.
    public var quality: [QualityCheck]
    /// The database the `ctrdb chain` commands of the page should name (`--db`), when it is
    /// not the default.
    public var database: String?

    public init(day: String, timeZone: String, interval: String, serviceLevelSeconds: Int = 20,
                shortAbandonSeconds: Int = 5, serviceLevelGoalPct: Double? = 80,
                headlines: [QueueHeadline], series: [QueueSeries], quality: [QualityCheck], database: String? = nil) {
        self.day = day
        self.timeZone = timeZone
        self.interval = interval
        self.serviceLevelSeconds = serviceLevelSeconds
        self.shortAbandonSeconds = shortAbandonSeconds
        self.serviceLevelGoalPct = serviceLevelGoalPct
        self.headlines = headlines
        self.series = series
        self.quality = quality
        self.database = database
    }

    /// The all-queues headline first, then the queues in byte order of their names.
    public var orderedHeadlines: [QueueHeadline] { headlines.sorted { QueueOrder.precedes($0.queue, $1.queue) } }

    /// The all-queues series first, then the queues in byte order of their names.
    public var orderedSeries: [QueueSeries] { series.sorted { QueueOrder.precedes($0.queue, $1.queue) } }

    /// A day with no leg: no queue of its own and nothing in any interval.
    public var isEmpty: Bool {
        !headlines.contains { $0.queue != nil || !$0.figures.isEmpty }
            && !series.contains { $0.intervals.contains { !$0.isEmpty } }
    }
}

/// The day's figures of one queue, or of all queues when `queue` is nil, each beside the
/// same figure averaged over the 7 days before.
public struct QueueHeadline: Sendable, Equatable {
    public var queue: String?
    public var figures: HeadlineFigures
    /// Nil when there is no history (no earlier day has this queue).
    public var weekBefore: FigureAverages?

    public init(queue: String?, figures: HeadlineFigures, weekBefore: FigureAverages? = nil) {
        self.queue = queue
        self.figures = figures
        self.weekBefore = weekBefore
    }
}

/// The headline figures of SPEC section 9 over a whole day, with the definitions of
/// section 5. Nil is "nothing to measure" (no queued leg, no answered leg, no request).
public struct HeadlineFigures: Sendable, Equatable {
    public var contactsQueued: Int
    public var contactsAnswered: Int
    public var abandoned: Int
    public var abandonRatePct: Double?
    public var serviceLevelPct: Double?
    public var answeredInSLPct: Double?
    public var avgAnswerS: Double?
    public var p90QueueS: Int?
    public var callbacksRequested: Int
    public var callbacksAnswered: Int
    public var avgTimeToAgentS: Double?

    public init(contactsQueued: Int = 0, contactsAnswered: Int = 0, abandoned: Int = 0, abandonRatePct: Double? = nil,
                serviceLevelPct: Double? = nil, answeredInSLPct: Double? = nil, avgAnswerS: Double? = nil,
                p90QueueS: Int? = nil, callbacksRequested: Int = 0, callbacksAnswered: Int = 0,
                avgTimeToAgentS: Double? = nil) {
        self.contactsQueued = contactsQueued
        self.contactsAnswered = contactsAnswered
        self.abandoned = abandoned
        self.abandonRatePct = abandonRatePct
        self.serviceLevelPct = serviceLevelPct
        self.answeredInSLPct = answeredInSLPct
        self.avgAnswerS = avgAnswerS
        self.p90QueueS = p90QueueS
        self.callbacksRequested = callbacksRequested
        self.callbacksAnswered = callbacksAnswered
        self.avgTimeToAgentS = avgTimeToAgentS
    }

    /// One figure as a number (counts included), nil when there is nothing to measure.
    public subscript(figure: HeadlineFigure) -> Double? {
        switch figure {
        case .contactsQueued: return Double(contactsQueued)
        case .contactsAnswered: return Double(contactsAnswered)
        case .abandoned: return Double(abandoned)
        case .abandonRatePct: return abandonRatePct
        case .serviceLevelPct: return serviceLevelPct
        case .answeredInSLPct: return answeredInSLPct
        case .avgAnswerS: return avgAnswerS
        case .p90QueueS: return p90QueueS.map(Double.init)
        case .callbacksRequested: return Double(callbacksRequested)
        case .callbacksAnswered: return Double(callbacksAnswered)
        case .avgTimeToAgentS: return avgTimeToAgentS
        }
    }

    var isEmpty: Bool { self == HeadlineFigures() }
}

/// The headline figures, in SPEC section 9's order, under their `summary.json` names.
public enum HeadlineFigure: String, CaseIterable, Sendable {
    case contactsQueued = "contacts_queued"
    case contactsAnswered = "contacts_answered"
    case abandoned
    case abandonRatePct = "abandon_rate_pct"
    case serviceLevelPct = "service_level_pct"
    case answeredInSLPct = "answered_in_sl_pct"
    case avgAnswerS = "avg_answer_s"
    case p90QueueS = "p90_queue_s"
    case callbacksRequested = "callbacks_requested"
    case callbacksAnswered = "callbacks_answered"
    case avgTimeToAgentS = "avg_time_to_agent_s"

    public enum Unit: Sendable { case count, percent, seconds }

    /// Which way a rise goes for a supervisor.
    public enum Direction: Sendable { case upIsGood, upIsBad, neutral }

    public var unit: Unit {
        switch self {
        case .contactsQueued, .contactsAnswered, .abandoned, .callbacksRequested, .callbacksAnswered: return .count
        case .abandonRatePct, .serviceLevelPct, .answeredInSLPct: return .percent
        case .avgAnswerS, .p90QueueS, .avgTimeToAgentS: return .seconds
        }
    }

    /// More calls is neither good nor bad; more answered, a higher service level and more
    /// callbacks returned are good; more abandons, longer waits and more callers giving up
    /// their place in the queue (a callback request) are bad.
    public var direction: Direction {
        switch self {
        case .contactsQueued: return .neutral
        case .contactsAnswered, .serviceLevelPct, .answeredInSLPct, .callbacksAnswered: return .upIsGood
        case .abandoned, .abandonRatePct, .avgAnswerS, .p90QueueS, .callbacksRequested, .avgTimeToAgentS: return .upIsBad
        }
    }
}

/// Each headline figure averaged over earlier days: the mean of the days that had something
/// to measure (a day with no answered call adds nothing to the average answer time).
public struct FigureAverages: Sendable, Equatable {
    private var values: [HeadlineFigure: Double]

    /// Nil when `days` is empty: there is no history to compare with.
    public init?(days: [HeadlineFigures]) {
        guard !days.isEmpty else { return nil }
        var values: [HeadlineFigure: Double] = [:]
        for figure in HeadlineFigure.allCases {
            let measured = days.compactMap { $0[figure] }
            if !measured.isEmpty { values[figure] = measured.reduce(0, +) / Double(measured.count) }
        }
        self.values = values
    }

    public subscript(figure: HeadlineFigure) -> Double? { values[figure] }
}

/// The interval series of one queue, or of all queues when `queue` is nil.
public struct QueueSeries: Sendable, Equatable {
    public var queue: String?
    /// Every interval of the day in order, empty ones included (zero counts, nil statistics):
    /// the charts give each entry one slot, so a missing interval would shorten the day.
    public var intervals: [IntervalFigures]

    public init(queue: String?, intervals: [IntervalFigures]) {
        self.queue = queue
        self.intervals = intervals.sorted { $0.epoch < $1.epoch }
    }
}

/// The figures of one interval, as the reports compute them for that interval.
public struct IntervalFigures: Sendable, Equatable {
    /// `interval_start` as the reports write it (`2026-03-12T10:00:00+01:00`).
    public var start: String
    /// The same instant in seconds since 1970.
    public var epoch: Int64
    public var contactsQueued: Int
    public var abandoned: Int
    public var p50QueueS: Int?
    public var p90QueueS: Int?
    public var serviceLevelPct: Double?
    public var callbacksRequested: Int
    public var callbacksAnswered: Int
    public var avgTimeToAgentS: Double?
    public var avgAgentWhisperS: Double?
    public var avgOutboundWhisperS: Double?

    public init(start: String, epoch: Int64, contactsQueued: Int = 0, abandoned: Int = 0, p50QueueS: Int? = nil,
                p90QueueS: Int? = nil, serviceLevelPct: Double? = nil, callbacksRequested: Int = 0,
                callbacksAnswered: Int = 0, avgTimeToAgentS: Double? = nil, avgAgentWhisperS: Double? = nil,
                avgOutboundWhisperS: Double? = nil) {
        self.start = start
        self.epoch = epoch
        self.contactsQueued = contactsQueued
        self.abandoned = abandoned
        self.p50QueueS = p50QueueS
        self.p90QueueS = p90QueueS
        self.serviceLevelPct = serviceLevelPct
        self.callbacksRequested = callbacksRequested
        self.callbacksAnswered = callbacksAnswered
        self.avgTimeToAgentS = avgTimeToAgentS
        self.avgAgentWhisperS = avgAgentWhisperS
        self.avgOutboundWhisperS = avgOutboundWhisperS
    }

    var isEmpty: Bool { self == IntervalFigures(start: start, epoch: epoch) }

    /// The time of day of `start` (`10:00`), or the whole label when it is not a timestamp.
    var clockLabel: String {
        let chars = Array(start)
        guard chars.count >= 16, chars[10] == "T" else { return start }
        return String(chars[11..<16])
    }
}

/// One row of the quality report.
public struct QualityCheck: Sendable, Equatable {
    public var check: String
    public var count: Int
    public var exampleContactId: String?

    public init(check: String, count: Int, exampleContactId: String? = nil) {
        self.check = check
        self.count = count
        self.exampleContactId = exampleContactId
    }
}

/// What `DIR/index.html` lists: the days of the packs in the folder, newest first.
public struct DayListing: Sendable, Equatable {
    public struct Day: Sendable, Equatable {
        public var day: String
        public var timeZone: String?
        /// The all-queues headline figures; nil when the pack's summary could not be read.
        public var figures: HeadlineFigures?

        public init(day: String, timeZone: String? = nil, figures: HeadlineFigures?) {
            self.day = day
            self.timeZone = timeZone
            self.figures = figures
        }
    }

    public var days: [Day]

    /// Sorts `days` newest first.
    public init(days: [Day]) { self.days = days.sorted { $0.day > $1.day } }
}

/// Queue order everywhere on the page and in the summary: all queues first, then by name
/// compared byte for byte (as SQLite sorts the reports' rows).
enum QueueOrder {
    static func precedes(_ a: String?, _ b: String?) -> Bool {
        switch (a, b) {
        case (nil, nil): return false
        case (nil, _): return true
        case (_, nil): return false
        case let (a?, b?): return a.utf8.lexicographicallyPrecedes(b.utf8)
        }
    }
}
