/// The day's page of the nightly pack: one self-contained HTML document (inline CSS and SVG,
/// no script, no network, nothing beside it) that a supervisor opens in a browser or a mail
/// client.
///
/// What it shows: the headline tiles of all queues and of each queue, each beside the same
/// figure averaged over the 7 days before; charts by interval (queued and abandoned, p50 and
/// p90 wait against the `--sl` threshold, service level against its goal, callbacks requested
/// and answered, their time to agent, the whisper gaps), each chart with a title, a spoken
/// summary and a table of the same numbers; and the quality checks, each with an example
/// contact and the `ctrdb chain` command that shows it.
///
/// The layout is CSS grid with tiles and charts that wrap, SVG that scales with its viewBox,
/// and tables that scroll inside their own box, so nothing is wider than a 390 px phone;
/// `@media print` lays it out for A4. Without the `<style>` element (a mail client may drop
/// it) the page is still a readable sequence of headings, figures, tables and charts
/// coloured by their own attributes. The page holds no generation time: the same day
/// renders the same bytes.
public enum NightlyPage {
    public static func render(_ day: NightlyDay) -> String {
        var body = header(day)
        if day.isEmpty {
            body += "<p class=\"empty\">No contacts on \(HTML.escape(day.day)) (\(HTML.escape(day.timeZone))): "
                + "the database holds no leg of this day.</p>"
        } else {
            body += queueSections(day)
        }
        body += qualitySection(day)
        body += "<footer><p>Written by <code>ctrdb nightly</code>. Each figure beside its average over the 7 days before; "
            + "▲ and ▼ say which way it moved, and whether that is better or worse.</p></footer>"
        return PageShell.document(title: "Contact centre \(day.day)", body: body)
    }

    private static func header(_ day: NightlyDay) -> String {
        "<header><h1>Contact centre, \(HTML.escape(day.day))</h1><p class=\"meta\">\(HTML.escape(day.timeZone))"
            + " · intervals of \(HTML.escape(day.interval)) · service level within \(day.serviceLevelSeconds) s"
            + " · short abandon under \(day.shortAbandonSeconds) s</p></header>"
    }

    /// All queues first, open; then each queue with its tiles, its charts folded away.
    private static func queueSections(_ day: NightlyDay) -> String {
        let series = day.orderedSeries
        var out = ""
        let headlines = day.orderedHeadlines
        var queueNumber = 0
        for headline in headlines {
            let intervals = series.first { $0.queue == headline.queue }?.intervals ?? []
            if let queue = headline.queue {
                if queueNumber == 0 { out += "<h2 id=\"queues\">Queues</h2>" }
                queueNumber += 1
                out += "<section class=\"queue\" id=\"q\(queueNumber)\"><h3>\(HTML.escape(queue))</h3>" + tiles(headline, day)
                if !intervals.isEmpty {
                    out += "<details><summary>Charts and intervals of \(HTML.escape(queue))</summary>"
                        + charts(intervals, day) + intervalTable(intervals, caption: "Intervals of \(queue)") + "</details>"
                }
                out += "</section>"
            } else {
                out += "<section id=\"all\"><h2>All queues</h2>" + tiles(headline, day) + charts(intervals, day)
                if !intervals.isEmpty {
                    out += "<details><summary>The charts' numbers, by interval</summary>"
                        + intervalTable(intervals, caption: "Intervals of all queues") + "</details>"
                }
                out += "</section>"
            }
        }
        return out
    }

    // MARK: Tiles

    private static func tiles(_ headline: QueueHeadline, _ day: NightlyDay) -> String {
        var out = "<div class=\"tiles\">"
        for figure in HeadlineFigure.allCases {
            let value = headline.figures[figure]
            let raw = value.map { Figures.trimmed($0, digits: 2) } ?? ""
            out += "<div class=\"tile\" data-figure=\"\(figure.rawValue)\" data-value=\"\(raw)\">"
                + "<div class=\"k\">\(HTML.escape(label(figure, day)))</div>"
                + "<div class=\"v\">\(Figures.format(value, figure.unit))</div>"
                + comparison(figure, value: value, history: headline.weekBefore) + "</div>"
        }
        return out + "</div>"
    }

    static func label(_ figure: HeadlineFigure, _ day: NightlyDay) -> String {
        switch figure {
        case .contactsQueued: return "Contacts queued"
        case .contactsAnswered: return "Answered"
        case .abandoned: return "Abandoned"
        case .abandonRatePct: return "Abandon rate"
        case .serviceLevelPct: return "Service level (\(day.serviceLevelSeconds) s)"
        case .answeredInSLPct: return "Answered within \(day.serviceLevelSeconds) s"
        case .avgAnswerS: return "Average answer time"
        case .p90QueueS: return "90th percentile wait"
        case .callbacksRequested: return "Callbacks requested"
        case .callbacksAnswered: return "Callbacks answered"
        case .avgTimeToAgentS: return "Callback time to agent"
        }
    }

    /// The line under a tile's figure: its 7-day average and which way the day moved.
    static func comparison(_ figure: HeadlineFigure, value: Double?, history: FigureAverages?) -> String {
        guard let history else { return "<div class=\"c\">no earlier days to compare</div>" }
        guard let average = history[figure] else { return "<div class=\"c\">7-day avg: nothing measured</div>" }
        let averageText = Figures.format(average, figure.unit)
        guard let value else { return "<div class=\"c\">7-day avg \(averageText)</div>" }
        let difference = value - average
        let shown = figure.unit == .percent ? Figures.fixed(abs(difference), digits: 1) : Figures.fixed(abs(difference), digits: 2)
        guard Double(shown) != 0 else { return "<div class=\"c\">= 7-day avg \(averageText)</div>" }
        let up = difference > 0
        let change: String
        if figure.unit == .percent {
            change = (up ? "+" : "−") + shown + " pts"
        } else if average != 0 {
            change = (up ? "+" : "−") + Figures.trimmed(abs(difference) / average * 100, digits: 0) + "%"
        } else {
            change = "up from 0"
        }
        let verdict: (css: String, word: String)?
        switch figure.direction {
        case .neutral: verdict = nil
        case .upIsGood: verdict = up ? ("good", "better") : ("bad", "worse")
        case .upIsBad: verdict = up ? ("bad", "worse") : ("good", "better")
        }
        let css = verdict.map { " \($0.css)" } ?? ""
        let word = verdict.map { " <span>(\($0.word))</span>" } ?? ""
        return "<div class=\"c\(css)\">\(up ? "▲" : "▼") \(change) vs 7-day avg \(averageText)\(word)</div>"
    }

    // MARK: Charts

    private static let colors = (queued: "#4e79a7", abandoned: "#e15759", p50: "#4e79a7", p90: "#f28e2b",
                                 threshold: "#2f7d32", level: "#2f7d32", goal: "#555555", requested: "#76b7b2",
                                 answered: "#2f7d32", toAgent: "#b07aa1", agentWhisper: "#9c755f", outboundWhisper: "#f28e2b")

    static func charts(_ intervals: [IntervalFigures], _ day: NightlyDay) -> String {
        guard !intervals.isEmpty else { return "" }
        let labels = slotLabels(intervals)
        let sl = Double(day.serviceLevelSeconds)
        func peak(_ values: [Double?]) -> String {
            guard let (index, value) = values.enumerated().compactMap({ i, v in v.map { (i, $0) } }).max(by: { $0.1 < $1.1 }) else {
                return "nothing to measure"
            }
            return "highest \(Figures.trimmed(value, digits: 2)) at \(labels[index])"
        }
        let queued = intervals.map { Double($0.contactsQueued) }
        let abandoned = intervals.map { Double($0.abandoned) }
        let requested = intervals.map { Double($0.callbacksRequested) }
        let answered = intervals.map { Double($0.callbacksAnswered) }
        let p50 = intervals.map { $0.p50QueueS.map(Double.init) }
        let p90 = intervals.map { $0.p90QueueS.map(Double.init) }
        let level = intervals.map(\.serviceLevelPct)
        let lowestLevel = level.enumerated().compactMap { i, v in v.map { (i, $0) } }.min { $0.1 < $1.1 }
        let toAgent = intervals.map(\.avgTimeToAgentS)
        let agentWhisper = intervals.map(\.avgAgentWhisperS)
        let outboundWhisper = intervals.map(\.avgOutboundWhisperS)

        var out = "<div class=\"charts\">"
        out += figure(SVGChart(
            title: "Contacts queued and abandoned",
            summary: "Contacts queued per interval with the abandoned part: \(Int(queued.reduce(0, +))) queued, "
                + "\(Int(abandoned.reduce(0, +))) abandoned; queued \(peak(queued)).",
            slotLabels: labels, unit: .count,
            bars: [.init(name: "Queued", color: colors.queued, values: queued),
                   .init(name: "Abandoned", color: colors.abandoned, values: abandoned)]))
        out += figure(SVGChart(
            title: "Wait in queue: p50 and p90",
            summary: "Median and 90th percentile wait in seconds per interval, against the \(day.serviceLevelSeconds) s "
                + "service-level threshold; p90 \(peak(p90)).",
            slotLabels: labels, unit: .seconds,
            lines: [.init(name: "p50 wait", color: colors.p50, values: p50), .init(name: "p90 wait", color: colors.p90, values: p90)],
            rules: [.init(label: "\(day.serviceLevelSeconds) s threshold", value: sl, color: colors.threshold)]))
        out += figure(SVGChart(
            title: "Service level",
            summary: "Share of queued contacts that left the queue within \(day.serviceLevelSeconds) s, per interval"
                + (day.serviceLevelGoalPct.map { ", against the \(Figures.percent($0)) goal" } ?? "")
                + (lowestLevel.map { "; lowest \(Figures.percent($0.1)) at \(labels[$0.0])." } ?? "; nothing to measure."),
            slotLabels: labels, unit: .percent,
            lines: [.init(name: "Service level", color: colors.level, values: level)],
            rules: day.serviceLevelGoalPct.map { [.init(label: "\(Figures.percent($0)) goal", value: $0, color: colors.goal)] } ?? [],
            fixedMax: 100))
        out += figure(SVGChart(
            title: "Callbacks requested and answered",
            summary: "Callback requests per interval with the answered part: \(Int(requested.reduce(0, +))) requested, "
                + "\(Int(answered.reduce(0, +))) answered.",
            slotLabels: labels, unit: .count,
            bars: [.init(name: "Requested", color: colors.requested, values: requested),
                   .init(name: "Answered", color: colors.answered, values: answered)]))
        out += figure(SVGChart(
            title: "Callback time to agent",
            summary: "Average time from a callback request to an agent, in seconds, by the interval of the request; \(peak(toAgent)).",
            slotLabels: labels, unit: .seconds,
            lines: [.init(name: "Time to agent", color: colors.toAgent, values: toAgent)]))
        out += figure(SVGChart(
            title: "Whisper gaps of agent-first callbacks",
            summary: "Average agent whisper (dequeue to the call placed) and outbound whisper (call placed to agent connected) "
                + "in seconds per interval; agent whisper \(peak(agentWhisper)); outbound whisper \(peak(outboundWhisper)).",
            slotLabels: labels, unit: .seconds,
            lines: [.init(name: "Agent whisper", color: colors.agentWhisper, values: agentWhisper),
                    .init(name: "Outbound whisper", color: colors.outboundWhisper, values: outboundWhisper)]))
        return out + "</div>"
    }

    /// A chart with its caption and an HTML legend (which wraps on a phone, unlike SVG text).
    private static func figure(_ chart: SVGChart) -> String {
        var legend = "<ul class=\"legend\">"
        for series in chart.bars { legend += "<li><span class=\"sw\" style=\"background:\(series.color)\"></span>\(HTML.escape(series.name))</li>" }
        for series in chart.lines { legend += "<li><span class=\"sw ln\" style=\"background:\(series.color)\"></span>\(HTML.escape(series.name))</li>" }
        for rule in chart.rules { legend += "<li><span class=\"sw rl\" style=\"border-color:\(rule.color)\"></span>\(HTML.escape(rule.label))</li>" }
        return "<figure><figcaption>\(HTML.escape(chart.title))</figcaption>" + legend + "</ul>" + chart.render() + "</figure>"
    }

    /// The intervals' clock times (`10:00`), with their UTC offsets on a day that repeats a
    /// clock time (the night summer time ends).
    static func slotLabels(_ intervals: [IntervalFigures]) -> [String] {
        let clocks = intervals.map(\.clockLabel)
        guard Set(clocks).count < clocks.count else { return clocks }
        return intervals.map { $0.start.count >= 25 ? $0.clockLabel + String($0.start.suffix(6)) : $0.start }
    }

    /// The numbers of every chart of a series, one row per interval: the charts' text equivalent.
    static func intervalTable(_ intervals: [IntervalFigures], caption: String) -> String {
        let headings = ["Interval", "Queued", "Abandoned", "p50 wait (s)", "p90 wait (s)", "Service level (%)",
                        "Callbacks requested", "Callbacks answered", "Time to agent (s)", "Agent whisper (s)", "Outbound whisper (s)"]
        var out = "<div class=\"scroll\"><table><caption>\(HTML.escape(caption))</caption><thead><tr>"
        for heading in headings { out += "<th scope=\"col\">\(heading)</th>" }
        out += "</tr></thead><tbody>"
        for (interval, label) in zip(intervals, slotLabels(intervals)) {
            let cells = [String(interval.contactsQueued), String(interval.abandoned), Figures.raw(interval.p50QueueS),
                         Figures.raw(interval.p90QueueS), Figures.raw(interval.serviceLevelPct), String(interval.callbacksRequested),
                         String(interval.callbacksAnswered), Figures.raw(interval.avgTimeToAgentS),
                         Figures.raw(interval.avgAgentWhisperS), Figures.raw(interval.avgOutboundWhisperS)]
            out += "<tr><th scope=\"row\">\(HTML.escape(label))</th><td>" + cells.joined(separator: "</td><td>") + "</td></tr>"
        }
        return out + "</tbody></table></div>"
    }

    // MARK: Quality

    private static func qualitySection(_ day: NightlyDay) -> String {
        var out = "<section id=\"quality\"><h2>Quality checks</h2>"
        guard !day.quality.isEmpty else { return out + "<p>No quality checks were run.</p></section>" }
        out += "<div class=\"scroll\"><table class=\"quality\"><thead><tr><th scope=\"col\">Check</th><th scope=\"col\">Count</th>"
            + "<th scope=\"col\">Example contact</th><th scope=\"col\">See its journey</th></tr></thead><tbody>"
        for check in day.quality {
            let example = check.exampleContactId.map { "<code>\(HTML.escape($0))</code>" } ?? "–"
            let command = check.exampleContactId.map { "<code>\(HTML.escape(chainCommand($0, database: day.database)))</code>" } ?? "–"
            let meaning = checkDescriptions[check.check].map { "<br><small>\($0)</small>" } ?? ""
            out += "<tr\(check.count > 0 ? " class=\"flag\"" : "")><th scope=\"row\">\(HTML.escape(check.check))\(meaning)</th>"
                + "<td data-label=\"Count\">\(check.count)</td><td data-label=\"Example\">\(example)</td>"
                + "<td data-label=\"Journey\">\(command)</td></tr>"
        }
        return out + "</tbody></table></div></section>"
    }

    /// The command that prints the journey of a contact, quoted for a POSIX shell.
    static func chainCommand(_ contactId: String, database: String?) -> String {
        "ctrdb chain " + shellQuoted(contactId) + (database.map { " --db " + shellQuoted($0) } ?? "")
    }

    static func shellQuoted(_ word: String) -> String {
        let plain = !word.isEmpty && word.unicodeScalars.allSatisfy {
            ($0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil)) || "-_./:@%+=,".unicodeScalars.contains($0)
        }
        return plain ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    private static let checkDescriptions: [String: String] = [
        "duration_mismatch": "Queue duration differs from the queue timestamps by more than 1 s",
        "missing_queue_duration": "Queued legs with no queue duration",
        "negative_whisper_gap": "Callback legs whose whisper timestamps run backwards",
        "missing_parent": "Previous contact named but not loaded",
        "missing_next": "Next contact named but not loaded",
        "cycle": "Legs whose chain links loop",
        "duplicate_deliveries": "Copies delivered more than once",
        "conflicting_versions": "Same update time, different content",
        "rejected_records": "Records that could not be read",
        "partial_files": "Files only partly readable",
    ]
}

/// The HTML document around a page's body, with the stylesheet both pages share.
enum PageShell {
    static func document(title: String, body: String) -> String {
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            + "<title>\(HTML.escape(title))</title><style>\(stylesheet)</style></head>\n<body>\n\(body)\n</body></html>\n"
    }

    static let stylesheet = """
    *{box-sizing:border-box}\
    body{margin:0 auto;max-width:1200px;padding:16px;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1d1d1f;background:#fff}\
    h1{font-size:1.6em;margin:0 0 4px}\
    h2{font-size:1.3em;margin:28px 0 10px;padding-bottom:4px;border-bottom:1px solid #ddd}\
    h3{font-size:1.1em;margin:24px 0 8px}\
    h1,h2,h3,summary,figcaption,caption{overflow-wrap:anywhere}\
    .meta,footer{color:#555}\
    .empty{font-size:1.2em;padding:16px;background:#f4f4f4;border-radius:6px}\
    .tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(165px,1fr));gap:8px}\
    .tile{border:1px solid #ddd;border-radius:6px;padding:8px 10px;background:#fafafa;break-inside:avoid}\
    .tile .k{font-size:.82em;color:#555}\
    .tile .v{font-size:1.5em;font-weight:600;line-height:1.3}\
    .tile .c{font-size:.78em;color:#555}\
    .tile .good{color:#1a7f37}.tile .bad{color:#c62828}\
    .charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,460px),1fr));gap:20px 24px;margin-top:16px}\
    figure{margin:0;min-width:0;break-inside:avoid}\
    figcaption{font-weight:600}\
    svg{display:block;width:100%;height:auto}\
    .legend{list-style:none;margin:2px 0 4px;padding:0;font-size:.82em;display:flex;flex-wrap:wrap;gap:2px 14px}\
    .sw{display:inline-block;width:11px;height:11px;margin-right:5px;vertical-align:-1px}\
    .sw.ln{height:3px;vertical-align:3px}\
    .sw.rl{height:0;border-top:2px dashed;vertical-align:3px}\
    details{margin-top:12px}\
    summary{cursor:pointer;color:#1f4e8c}\
    .scroll{overflow-x:auto;max-width:100%}\
    table{border-collapse:collapse;font-size:.85em;margin:6px 0}\
    caption{text-align:left;color:#555;padding:2px 0}\
    th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:right;vertical-align:top}\
    thead th{border-bottom:1px solid #bbb}\
    th:first-child{text-align:left}\
    td,tbody th{white-space:nowrap}\
    table.quality td,table.quality th{white-space:normal}\
    table.quality td+td,table.quality thead th+th+th{text-align:left}\
    code{font-size:.92em;overflow-wrap:anywhere}\
    tr.flag>*{background:#fff6e5}\
    small{color:#555;font-weight:normal}\
    @media (max-width:480px){body{padding:10px;font-size:14px}svg text{font-size:14px}.tiles{grid-template-columns:repeat(2,minmax(0,1fr))}.tile .v{font-size:1.25em}\
    table.quality,table.quality tbody,table.quality tr,table.quality th,table.quality td{display:block;text-align:left}\
    table.quality thead{display:none}table.quality tr{padding:6px 0;border-bottom:1px solid #ddd}table.quality th,table.quality td{border:0;padding:1px 8px}\
    table.quality td::before{content:attr(data-label) \": \";color:#555}}\
    @media print{@page{size:A4;margin:12mm}body{max-width:none;padding:0;font-size:10pt}\
    .charts{grid-template-columns:1fr 1fr}details::details-content{content-visibility:visible;display:block}\
    summary{list-style:none;color:inherit}section.queue{break-before:page}h2,h3,figcaption{break-after:avoid}\
    tr,figure,.tile{break-inside:avoid}.scroll{overflow:visible}}
    """
}
