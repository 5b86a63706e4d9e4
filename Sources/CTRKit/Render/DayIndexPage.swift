/// `DIR/index.html`: the days of the packs in the folder, newest first, each linking to its
/// page, with its all-queues headline figures in one table (which scrolls inside its own
/// box on a phone).
public enum DayIndexPage {
    public static func render(_ listing: DayListing) -> String {
        var body = "<header><h1>Contact centre, day by day</h1><p class=\"meta\">The nightly report packs in this folder, "
            + "newest first. Each day's folder also holds its CSV reports and <code>summary.json</code>.</p></header>"
        guard !listing.days.isEmpty else {
            return PageShell.document(title: "Contact centre, day by day", body: body + "<p class=\"empty\">No day yet.</p>")
        }
        body += "<div class=\"scroll\"><table><thead><tr><th scope=\"col\">Day</th>"
        for figure in HeadlineFigure.allCases { body += "<th scope=\"col\">\(heading(figure))</th>" }
        body += "</tr></thead><tbody>"
        for day in listing.days {
            let link = HTML.escape(day.day) + "/index.html"
            body += "<tr><th scope=\"row\"><a href=\"\(link)\">\(HTML.escape(day.day))</a>"
                + (day.timeZone.map { "<br><small>\(HTML.escape($0))</small>" } ?? "") + "</th>"
            for figure in HeadlineFigure.allCases {
                body += "<td>" + (day.figures.map { Figures.format($0[figure], figure.unit) } ?? "–") + "</td>"
            }
            body += "</tr>"
        }
        body += "</tbody></table></div>"
        return PageShell.document(title: "Contact centre, day by day", body: body)
    }

    private static func heading(_ figure: HeadlineFigure) -> String {
        switch figure {
        case .contactsQueued: return "Queued"
        case .contactsAnswered: return "Answered"
        case .abandoned: return "Abandoned"
        case .abandonRatePct: return "Abandon rate"
        case .serviceLevelPct: return "Service level"
        case .answeredInSLPct: return "Answered in SL"
        case .avgAnswerS: return "Avg answer"
        case .p90QueueS: return "p90 wait"
        case .callbacksRequested: return "Callbacks requested"
        case .callbacksAnswered: return "Callbacks answered"
        case .avgTimeToAgentS: return "Callback time to agent"
        }
    }
}
