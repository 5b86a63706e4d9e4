import Foundation

/// Report interval sizes (SPEC section 1). Weeks start on Monday.
public enum ReportInterval: String, CaseIterable, Sendable {
    case minutes15 = "15m", minutes30 = "30m", hour = "1h", day = "1d", week = "1w", total

    var fixedSeconds: Int64? {
        switch self {
        case .minutes15: return 900
        case .minutes30: return 1800
        case .hour: return 3600
        default: return nil
        }
    }
}

/// Puts instants into intervals of a time zone's civil calendar, which SQLite cannot do:
/// a day is 23 or 25 hours across a DST change, and an hour repeated in the autumn is two
/// intervals, told apart by the offset in `interval_start`.
///
/// Sub-day intervals are aligned to local wall-clock multiples of their size at the offset
/// in force at the instant. Results are cached per UTC quarter hour (every DST change and
/// zone offset in use today falls on one), so a report calls the calendar once per quarter
/// hour of data, not once per leg.
public final class IntervalBucketer {
    public let interval: ReportInterval
    public let timeZone: TimeZone
    private let calendar: Calendar
    private var startCache: [Int64: Int64] = [:]
    private var textCache: [Int64: String] = [:]

    public init(interval: ReportInterval, timeZone: TimeZone) {
        self.interval = interval
        self.timeZone = timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        calendar.firstWeekday = 2
        self.calendar = calendar
    }

    /// The start (epoch seconds) of the interval holding `t`.
    public func intervalStart(_ t: Int64) -> Int64 {
        let block = floorDiv(t, 900)
        if let cached = startCache[block] { return cached }
        let start = computeStart(block * 900)
        startCache[block] = start
        return start
    }

    private func computeStart(_ t: Int64) -> Int64 {
        let date = Date(timeIntervalSince1970: TimeInterval(t))
        if let size = interval.fixedSeconds {
            let local = t + Int64(timeZone.secondsFromGMT(for: date))
            return t - (local - floorDiv(local, size) * size)
        }
        switch interval {
        case .total:
            // One interval for everything; its label is the report's total_start.
            return 0
        case .day:
            return Int64(calendar.startOfDay(for: date).timeIntervalSince1970)
        case .week:
            let day = calendar.startOfDay(for: date)
            let daysSinceMonday = (calendar.component(.weekday, from: day) + 5) % 7
            let monday = calendar.date(byAdding: .day, value: -daysSinceMonday, to: day) ?? day
            return Int64(calendar.startOfDay(for: monday).timeIntervalSince1970)
        default:
            return t
        }
    }

    /// `YYYY-MM-DDTHH:MM:SS±HH:MM` in the zone.
    public func format(_ t: Int64) -> String {
        if let cached = textCache[t] { return cached }
        let text = IntervalBucketer.format(t, offset: timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(t))))
        if textCache.count < 100_000 { textCache[t] = text }
        return text
    }

    static func format(_ t: Int64, offset: Int) -> String {
        let local = Timestamp(epochMilliseconds: (t + Int64(offset)) * 1000).text
        let sign = offset < 0 ? "-" : "+"
        let magnitude = abs(offset)
        return String(local.dropLast()) + String(format: "%@%02d:%02d", sign, magnitude / 3600, magnitude / 60 % 60)
    }

    /// Parses `--from`/`--to`: a date (local midnight), a local date and time
    /// (`YYYY-MM-DDTHH:MM[:SS[.fff]]`, `T` or a space), or an instant with `Z` or an offset.
    /// Stored times are whole seconds, so a fractional boundary is rounded up: `t >= from`
    /// and `t < to` then hold for a whole-second `t` exactly when they hold for the instant.
    public func parseBoundary(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let bytes = Array(trimmed.utf8)
        // A fraction of a second with no zone after it is still local time.
        var end = 19
        if bytes.count > 19, bytes[19] == UInt8(ascii: ".") {
            end = 20
            while end < bytes.count, (48...57).contains(bytes[end]) { end += 1 }
        }
        if bytes.count > end {
            return Timestamp.parse(bytes).map { ceilDiv($0.epochMilliseconds, 1000) }
        }
        var padded = trimmed
        var fractionMillis: Int64 = 0
        switch bytes.count {
        case 10: padded += "T00:00:00"
        case 16: padded += ":00"
        case 19: break
        default:
            guard bytes.count > 19, let instant = Timestamp.parse(bytes) else { return nil }
            fractionMillis = instant.epochMilliseconds - instant.epochSeconds * 1000
            padded = String(trimmed.prefix(19))
        }
        // Read the digits as if UTC, then find the instant whose local time they are.
        guard let naive = Timestamp.parse(padded + "Z") else { return nil }
        let (year, month, day) = Timestamp.civil(fromDays: floorDiv(naive.epochSeconds, 86_400))
        let secondOfDay = Int(naive.epochSeconds - floorDiv(naive.epochSeconds, 86_400) * 86_400)
        let components = DateComponents(year: year, month: month, day: day, hour: secondOfDay / 3600, minute: secondOfDay / 60 % 60, second: secondOfDay % 60)
        guard let date = calendar.date(from: components) else { return nil }
        return Int64(date.timeIntervalSince1970) + (fractionMillis > 0 ? 1 : 0)
    }
}

private func ceilDiv(_ a: Int64, _ b: Int64) -> Int64 {
    -floorDiv(-a, b)
}
