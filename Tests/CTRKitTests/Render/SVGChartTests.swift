import Foundation
import Testing
@testable import CTRKit

@Suite struct SVGChartTests {
    private func chart(labels: [String] = ["00:00", "01:00", "02:00", "03:00"], bars: [SVGChart.Bars] = [],
                       lines: [SVGChart.Line] = [], rules: [SVGChart.Rule] = [], fixedMax: Double? = nil) -> SVGChart {
        SVGChart(title: "A chart", summary: "What it shows", slotLabels: labels, unit: .count, bars: bars, lines: lines,
                 rules: rules, fixedMax: fixedMax)
    }

    private func occurrences(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    @Test func axisTicksAreRoundStepsCoveringTheMaximum() {
        #expect(AxisTicks(upTo: 0).values == [0, 1])
        #expect(AxisTicks(upTo: .nan).values == [0, 1])
        #expect(AxisTicks(upTo: 1).values == [0, 1])
        #expect(AxisTicks(upTo: 7).values == [0, 2, 4, 6, 8])
        #expect(AxisTicks(upTo: 100).values == [0, 20, 40, 60, 80, 100])
        #expect(AxisTicks(upTo: 123).values == [0, 50, 100, 150])
        #expect(AxisTicks(upTo: 1840).values == [0, 500, 1000, 1500, 2000])
        #expect(AxisTicks(upTo: 0.3).values == [0, 1], "no fractional gridline")
        #expect(AxisTicks(upTo: 1790, inMinutes: true).values == [0, 600, 1200, 1800], "steps of 10 minutes")
    }

    @Test func linearScaleMapsTheDomainOntoAnInvertedRange() {
        let y = LinearScale(domain: 0...50, range: (194, 12))
        #expect(y(0) == 194)
        #expect(y(50) == 12)
        #expect(y(25) == 103)
        #expect(LinearScale(domain: 0...0, range: (194, 12))(7) == 194, "an empty domain maps to the baseline")
    }

    @Test func slotsSplitThePlotAndLabelAboutSixOfThem() {
        let slots = SlotScale(count: 4, range: 50...472)
        #expect(slots.slotWidth == 105.5)
        #expect(slots.center(0) == 102.75)
        #expect(slots.barLeft(1) == 50 + 105.5 + 105.5 * 0.1)
        #expect(SlotScale(count: 24, range: 0...1).labelled == [0, 4, 8, 12, 16, 20])
        #expect(SlotScale(count: 96, range: 0...1).labelled == [0, 16, 32, 48, 64, 80])
        #expect(SlotScale(count: 3, range: 0...1).labelled == [0, 1, 2])
        #expect(SlotScale(count: 0, range: 0...1).labelled == [])
    }

    @Test func barsRiseFromTheBaselineInProportion() {
        let svg = chart(bars: [.init(name: "Queued", color: "#111111", values: [10, 5, 0, 10])]).render()
        // top 10 -> the axis runs 0...10: a bar of 10 fills the plot (194 - 12), one of 5 half of it
        #expect(svg.contains("<g fill=\"#111111\"><rect x=\"60.6\" y=\"12\" width=\"84.4\" height=\"182\"/><rect x=\"166.1\" y=\"103\" width=\"84.4\" height=\"91\"/>"))
        #expect(occurrences("<rect", in: svg) == 3, "a zero draws no bar")
        // gridlines every 2 from 0 to 10, labelled beside the axis
        #expect(svg.contains("<line x1=\"50\" x2=\"472\" y1=\"121.2\" y2=\"121.2\"/>"))
        #expect(svg.contains("<text x=\"46\" y=\"125.2\">4</text>") && svg.contains("<text x=\"46\" y=\"16\">10</text>"))
        #expect(occurrences("<line x1=\"50\" x2=\"472\"", in: svg) == 7, "six gridlines and the baseline")
        #expect(svg.contains(">00:00</text>") && svg.contains(">03:00</text>"))
    }

    @Test func overlaidBarsShareTheScale() {
        let svg = chart(labels: ["a", "b"], bars: [.init(name: "Queued", color: "#111111", values: [8, 4]),
                                                   .init(name: "Abandoned", color: "#222222", values: [2, 0])]).render()
        #expect(svg.contains("<g fill=\"#222222\"><rect x=\"71.1\" y=\"148.5\" width=\"168.8\" height=\"45.5\"/></g>"))
    }

    @Test func nilValuesBreakTheLineAndLonePointsAreDots() {
        let svg = chart(labels: (0..<7).map { "\($0)" }, lines: [.init(name: "Wait", color: "#333333", values: [1, nil, 3, nil, nil, 5, 6])]).render()
        let path = svg.components(separatedBy: "d=\"")[1].components(separatedBy: "\"")[0]
        #expect(path.filter { $0 == "M" }.count == 3)
        #expect(path.filter { $0 == "L" }.count == 1)
        #expect(occurrences("<circle", in: svg) == 2, "1 and 3 have no measured neighbour")
        #expect(!svg.contains("nothing to measure"))
    }

    @Test func anEmptyOrUnmeasuredChartSaysSo() {
        let empty = chart(labels: [], bars: [.init(name: "Queued", color: "#111111", values: [])]).render()
        #expect(empty.contains("nothing to measure"))
        #expect(!empty.contains("<rect"))
        let unmeasured = chart(lines: [.init(name: "Wait", color: "#333333", values: [nil, nil, nil, nil])]).render()
        #expect(unmeasured.contains("nothing to measure"))
        #expect(!unmeasured.contains("<path"))
        let idle = chart(bars: [.init(name: "Queued", color: "#111111", values: [0, 0, 0, 0])]).render()
        #expect(idle.contains("nothing to measure"))
    }

    @Test func aRuleIsDrawnAtItsValueAndWidensTheAxis() {
        let svg = chart(lines: [.init(name: "Wait", color: "#333333", values: [4, 6, 8, 2])],
                        rules: [.init(label: "20 s threshold", value: 20, color: "#00aa00")]).render()
        // the axis reaches 20 for the rule: 0, 5, ..., 20; the rule sits at the top of the plot
        #expect(svg.contains("y1=\"12\" y2=\"12\" stroke-dasharray"))
        #expect(svg.contains(">20 s threshold</text>"))
        let percent = SVGChart(title: "t", summary: "s", slotLabels: ["a"], unit: .percent,
                               lines: [.init(name: "SL", color: "#000000", values: [40])], fixedMax: 100).render()
        #expect(percent.contains(">100%</text>"), "a percentage axis runs to 100 whatever the data")
        let long = SVGChart(title: "t", summary: "s", slotLabels: ["a", "b"], unit: .seconds,
                            lines: [.init(name: "Wait", color: "#000000", values: [1790, 90])]).render()
        #expect(long.contains(">30 min</text>") && !long.contains(" s</text>"), "a long wait's axis is in minutes")
    }

    @Test func titlesLabelsAndNamesAreEscaped() {
        let hostile = "<script>alert(\"x\")</script> & 'y'"
        let svg = SVGChart(title: hostile, summary: hostile, slotLabels: [hostile], unit: .count,
                           bars: [.init(name: hostile, color: "#111111", values: [1])],
                           rules: [.init(label: hostile, value: 1, color: "#222222")]).render()
        #expect(!svg.contains("<script"))
        #expect(!svg.contains("'y'"))
        let escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        #expect(svg.contains("<title>\(escaped)</title>"))
        #expect(svg.contains("aria-label=\"\(escaped)\""))
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 480 220\" width=\"100%\" role=\"img\""))
    }
}
