/// One chart of the nightly page as inline SVG: bars and lines over a row of slots (one per
/// interval), with horizontal reference lines.
///
/// Hand-written rather than built with a template library: the page is a few hundred
/// lines of markup whose only hard parts are the geometry and the escaping, which Plot's
/// HTML DSL (no SVG elements) and Stencil's templates (escaping left to each filter) would
/// not do for us, and a dependency would add a package to resolve for what one file does.
///
/// Colours and strokes are presentation attributes on the SVG itself, not CSS classes, so a
/// mail client that drops `<style>` still draws the chart as intended. Its `<title>` and
/// `aria-label` name the chart and say what it shows; the page puts a table of the same
/// numbers beside it.
struct SVGChart {
    struct Bars {
        var name: String
        var color: String
        var values: [Double]
    }

    struct Line {
        var name: String
        var color: String
        var values: [Double?]
    }

    /// A horizontal line at a fixed value: a threshold or a goal.
    struct Rule {
        var label: String
        var value: Double
        var color: String
    }

    var title: String
    /// What the chart shows, in words, for a screen reader (`aria-label`).
    var summary: String
    var slotLabels: [String]
    var unit: HeadlineFigure.Unit
    /// Overlaid from zero, in order: a later series is drawn over an earlier one, so the
    /// abandoned part of the queued bar shows as part of it.
    var bars: [Bars] = []
    var lines: [Line] = []
    var rules: [Rule] = []
    /// The top of the value axis when it is fixed (100 for a percentage).
    var fixedMax: Double?

    static let width = 480.0
    static let height = 220.0
    static let plot = (left: 50.0, right: 472.0, top: 12.0, bottom: 194.0)

    /// The largest value the axis must show: every bar, point and rule.
    var dataMax: Double {
        let values = bars.flatMap(\.values) + lines.flatMap { $0.values.compactMap { $0 } } + rules.map(\.value)
        return values.filter(\.isFinite).max() ?? 0
    }

    var hasData: Bool {
        !slotLabels.isEmpty && (bars.contains { $0.values.contains { $0 > 0 } } || lines.contains { $0.values.contains { $0 != nil } })
    }

    func render() -> String {
        let ticks = fixedMax.map { AxisTicks(upTo: max($0, dataMax)) } ?? AxisTicks(upTo: dataMax, inMinutes: minutesAxis)
        let y = LinearScale(domain: 0...ticks.top, range: (SVGChart.plot.bottom, SVGChart.plot.top))
        let slots = SlotScale(count: slotLabels.count, range: SVGChart.plot.left...SVGChart.plot.right)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(SVGChart.width)) \(Int(SVGChart.height))\""
            + " width=\"100%\" role=\"img\" aria-label=\"\(HTML.escape(summary))\" font-family=\"sans-serif\" font-size=\"12\" fill=\"#444\">"
        svg += "<title>\(HTML.escape(title))</title>"
        svg += axes(ticks: ticks, y: y, slots: slots)
        for series in bars { svg += drawBars(series, y: y, slots: slots) }
        for rule in rules { svg += drawRule(rule, y: y) }
        for line in lines { svg += drawLine(line, y: y, slots: slots) }
        if !hasData {
            svg += "<text x=\"\(coord(SVGChart.width / 2))\" y=\"\(coord(SVGChart.height / 2))\" text-anchor=\"middle\">nothing to measure</text>"
        }
        return svg + "</svg>"
    }

    private func axes(ticks: AxisTicks, y: LinearScale, slots: SlotScale) -> String {
        let (left, right, bottom) = (coord(SVGChart.plot.left), coord(SVGChart.plot.right), coord(SVGChart.plot.bottom))
        var out = "<g stroke=\"#e3e3e3\">"
        for tick in ticks.values { out += "<line x1=\"\(left)\" x2=\"\(right)\" y1=\"\(coord(y(tick)))\" y2=\"\(coord(y(tick)))\"/>" }
        out += "</g><g text-anchor=\"end\">"
        for tick in ticks.values {
            out += "<text x=\"\(coord(SVGChart.plot.left - 4))\" y=\"\(coord(y(tick) + 4))\">\(HTML.escape(axisLabel(tick)))</text>"
        }
        out += "</g><g text-anchor=\"middle\">"
        for index in slots.labelled {
            out += "<text x=\"\(coord(slots.center(index)))\" y=\"\(coord(SVGChart.plot.bottom + 16))\">\(HTML.escape(slotLabels[index]))</text>"
        }
        return out + "</g><line x1=\"\(left)\" x2=\"\(right)\" y1=\"\(bottom)\" y2=\"\(bottom)\" stroke=\"#888\"/>"
    }

    private func drawBars(_ series: Bars, y: LinearScale, slots: SlotScale) -> String {
        var out = "<g fill=\"\(series.color)\">"
        let width = coord(slots.barWidth)
        for (index, value) in series.values.enumerated() where index < slots.count && value > 0 && value.isFinite {
            let top = y(value)
            out += "<rect x=\"\(coord(slots.barLeft(index)))\" y=\"\(coord(top))\" width=\"\(width)\" height=\"\(coord(SVGChart.plot.bottom - top))\"/>"
        }
        return out + "</g>"
    }

    /// Segments join consecutive measured points; a nil breaks the line, and a point with no
    /// measured neighbour is drawn as a dot so that it is not lost.
    private func drawLine(_ line: Line, y: LinearScale, slots: SlotScale) -> String {
        var path = ""
        var dots = ""
        let values = Array(line.values.prefix(slots.count))
        for (index, value) in values.enumerated() {
            guard let value, value.isFinite else { continue }
            let point = "\(coord(slots.center(index))) \(coord(y(value)))"
            let joinsPrevious = index > 0 && values[index - 1] != nil
            let joinsNext = index + 1 < values.count && values[index + 1] != nil
            path += (joinsPrevious ? "L" : "M") + point
            if !joinsPrevious && !joinsNext {
                dots += "<circle cx=\"\(coord(slots.center(index)))\" cy=\"\(coord(y(value)))\" r=\"2.5\"/>"
            }
        }
        var out = "<g fill=\"\(line.color)\">"
        if !path.isEmpty { out += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"2\" stroke-linejoin=\"round\"/>" }
        return out + dots + "</g>"
    }

    private func drawRule(_ rule: Rule, y: LinearScale) -> String {
        let (left, right) = (coord(SVGChart.plot.left), coord(SVGChart.plot.right))
        let at = coord(y(rule.value))
        return "<g stroke=\"\(rule.color)\" fill=\"\(rule.color)\"><line x1=\"\(left)\" x2=\"\(right)\" y1=\"\(at)\" y2=\"\(at)\" stroke-dasharray=\"6 4\" stroke-width=\"1.5\"/>"
            + "<text x=\"\(right)\" y=\"\(coord(y(rule.value) - 4))\" text-anchor=\"end\" stroke=\"none\">\(HTML.escape(rule.label))</text></g>"
    }

    /// Waits beyond five minutes read better in minutes, and their labels stay short.
    var minutesAxis: Bool { unit == .seconds && dataMax > 300 }

    private func axisLabel(_ value: Double) -> String {
        switch unit {
        case .count: return Figures.trimmed(value, digits: 2)
        case .percent: return Figures.trimmed(value, digits: 1) + "%"
        case .seconds: return minutesAxis ? Figures.trimmed(value / 60, digits: 1) + " min" : Figures.trimmed(value, digits: 1) + " s"
        }
    }

    /// A coordinate with one decimal at most: enough for a screen, and short.
    private func coord(_ value: Double) -> String { Figures.trimmed(value, digits: 1) }
}

/// A linear map from values to positions; the range may run downwards, as SVG's y does.
struct LinearScale {
    var domain: ClosedRange<Double>
    var range: (start: Double, end: Double)

    func callAsFunction(_ value: Double) -> Double {
        let span = domain.upperBound - domain.lowerBound
        guard span > 0 else { return range.start }
        return range.start + (value - domain.lowerBound) / span * (range.end - range.start)
    }
}

/// Evenly spaced slots across the plot, one per interval, and which of them get a label
/// (at most about seven, so that labels never overlap).
struct SlotScale {
    var count: Int
    var range: ClosedRange<Double>

    var slotWidth: Double { count > 0 ? (range.upperBound - range.lowerBound) / Double(count) : 0 }
    var barWidth: Double { max(slotWidth * 0.8, 0.5) }

    func barLeft(_ index: Int) -> Double { range.lowerBound + Double(index) * slotWidth + (slotWidth - barWidth) / 2 }
    func center(_ index: Int) -> Double { range.lowerBound + (Double(index) + 0.5) * slotWidth }

    var labelled: [Int] {
        guard count > 0 else { return [] }
        let step = max(1, Int((Double(count) / 6).rounded(.up)))
        return Array(stride(from: 0, to: count, by: step))
    }
}

/// The gridlines of a value axis: zero, then steps of 1, 2 or 5 times a power of ten (never
/// below 1: counts, seconds and percentages need no fractional gridline), up to the first
/// step at or above the largest value (at most six lines).
struct AxisTicks {
    var values: [Double]
    var top: Double { values.last ?? 1 }

    /// With `inMinutes`, the steps are whole minutes (and the values still seconds).
    init(upTo maximum: Double, inMinutes: Bool = false) {
        if inMinutes {
            values = AxisTicks(upTo: maximum / 60).values.map { $0 * 60 }
            return
        }
        let target = maximum.isFinite && maximum > 0 ? maximum : 1
        var magnitude = 1.0
        while magnitude * 10 <= target / 5 { magnitude *= 10 }
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { target / $0 <= 5 } ?? magnitude * 10
        let steps = Int((target / step).rounded(.up))
        values = (0...steps).map { Double($0) * step }
    }
}
