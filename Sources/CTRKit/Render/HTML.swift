/// Text made safe for HTML, and the number formats of the page. Every piece of data goes
/// through `HTML.escape` before it is written, in text and in attribute values alike, so a
/// queue named `<script>` or `=HYPERLINK("x")` shows as those characters.
enum HTML {
    static func escape(_ text: String) -> String {
        guard text.contains(where: { "&<>\"'".contains($0) }) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}

/// Numbers as the page shows them: no locale, no clock, the same text on every machine.
enum Figures {
    /// `value` rounded half away from zero to `digits` decimals, always with that many.
    static func fixed(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return "–" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded(.toNearestOrAwayFromZero)
        guard scaled < 9e15 else { return String(value) }
        let units = Int64(scaled)
        let divisor = Int64(scale)
        let sign = value < 0 && units != 0 ? "-" : ""
        guard digits > 0 else { return sign + String(units) }
        let fraction = String(units % divisor)
        return sign + String(units / divisor) + "." + String(repeating: "0", count: digits - fraction.count) + fraction
    }

    /// Like `fixed`, without trailing zeros after the point (`12.5`, `12`).
    static func trimmed(_ value: Double, digits: Int) -> String {
        var text = fixed(value, digits: digits)
        guard text.contains(".") else { return text }
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// A count with thousands grouped by commas: `12,345`.
    static func count(_ value: Double) -> String {
        let digits = fixed(value, digits: 0)
        let negative = digits.hasPrefix("-")
        let body = Array(negative ? digits.dropFirst() : Substring(digits))
        var out = ""
        for (index, digit) in body.enumerated() {
            if index > 0 && (body.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (negative ? "-" : "") + out
    }

    static func percent(_ value: Double) -> String { trimmed(value, digits: 1) + "%" }

    /// Seconds as a person reads a wait: `42.5 s`, `3 min 05 s`, `1 h 02 min`.
    static func seconds(_ value: Double) -> String {
        if abs(value) < 60 { return trimmed(value, digits: 1) + " s" }
        let total = Int64(value.rounded(.toNearestOrAwayFromZero))
        if abs(total) < 3600 { return "\(total / 60) min " + twoDigits(abs(total) % 60) + " s" }
        return "\(total / 3600) h " + twoDigits((abs(total) % 3600) / 60) + " min"
    }

    /// A headline figure in its unit; a dash when there is nothing to measure.
    static func format(_ value: Double?, _ unit: HeadlineFigure.Unit) -> String {
        guard let value else { return "–" }
        switch unit {
        case .count: return count(value)
        case .percent: return percent(value)
        case .seconds: return seconds(value)
        }
    }

    /// A value of the data as the reports write it (2 decimals at most), for tables.
    static func raw(_ value: Double?) -> String { value.map { trimmed($0, digits: 2) } ?? "–" }

    static func raw(_ value: Int?) -> String { value.map(String.init) ?? "–" }

    private static func twoDigits(_ value: Int64) -> String { value < 10 ? "0\(value)" : String(value) }
}
