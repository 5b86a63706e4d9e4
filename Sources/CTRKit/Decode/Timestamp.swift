import Foundation

/// A point in time from a CTR, kept to the millisecond so that newest-wins can compare
/// copies precisely, and written to the database in whole UTC seconds.
public struct Timestamp: Comparable, Hashable, Sendable {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var epochMilliseconds: Int64

    public init(epochMilliseconds: Int64) { self.epochMilliseconds = epochMilliseconds }

    public var epochSeconds: Int64 { floorDiv(epochMilliseconds, 1000) }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.epochMilliseconds < b.epochMilliseconds }

    /// `YYYY-MM-DDTHH:MM:SSZ`, the database's format (sub-second digits are dropped).
    public var text: String {
        String(unsafeUninitializedCapacity: 20) { buffer in
            write(into: buffer.baseAddress!)
            return 20
        }
    }

    /// Writes the 20 bytes of `text` without allocating: the load stage binds them directly.
    func write(into out: UnsafeMutablePointer<UInt8>) {
        let seconds = epochSeconds
        let days = floorDiv(seconds, 86_400)
        let secondOfDay = Int(seconds - days * 86_400)
        let (year, month, day) = Timestamp.civil(fromDays: days)
        func put(_ value: Int, _ at: Int, _ width: Int) {
            var v = value
            for k in stride(from: at + width - 1, through: at, by: -1) {
                out[k] = UInt8(48 + v % 10)
                v /= 10
            }
        }
        put(year, 0, 4); out[4] = 45
        put(month, 5, 2); out[7] = 45
        put(day, 8, 2); out[10] = 84
        put(secondOfDay / 3600, 11, 2); out[13] = 58
        put(secondOfDay / 60 % 60, 14, 2); out[16] = 58
        put(secondOfDay % 60, 17, 2); out[19] = 90
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM|±HHMM]` (a space may stand for `T`; no zone
    /// means UTC). Returns nil for anything else.
    public static func parse<C: RandomAccessCollection>(_ s: C) -> Timestamp? where C.Element == UInt8, C.Index == Int {
        let n = s.count
        guard n >= 19 else { return nil }
        let b = s.startIndex
        func digits(_ at: Int, _ count: Int) -> Int? {
            var v = 0
            for k in 0..<count {
                let c = s[b + at + k]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard let year = digits(0, 4), s[b + 4] == 45, let month = digits(5, 2), s[b + 7] == 45,
              let day = digits(8, 2), s[b + 10] == 84 || s[b + 10] == 32 || s[b + 10] == 116,
              let hour = digits(11, 2), s[b + 13] == 58, let minute = digits(14, 2), s[b + 16] == 58,
              let second = digits(17, 2) else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour < 24, minute < 60, second < 61 else { return nil }
        var i = 19
        var millis = 0
        if i < n, s[b + i] == 46 {
            i += 1
            var scale = 100
            let fractionStart = i
            while i < n, let d = digits(i, 1) {
                millis += d * scale
                scale /= 10
                i += 1
            }
            guard i > fractionStart else { return nil }
        }
        var offsetSeconds = 0
        if i < n {
            let zone = s[b + i]
            if zone == 90 || zone == 122 {
                i += 1
            } else if zone == 43 || zone == 45 {
                let sign = zone == 43 ? 1 : -1
                i += 1
                guard let hh = (i + 2 <= n ? digits(i, 2) : nil) else { return nil }
                i += 2
                if i < n, s[b + i] == 58 { i += 1 }
                guard let mm = (i + 2 <= n ? digits(i, 2) : nil) else { return nil }
                i += 2
                offsetSeconds = sign * (hh * 3600 + mm * 60)
            }
        }
        guard i == n else { return nil }
        let days = Int64(daysFromCivil(year: year, month: month, day: day))
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + min(second, 59)) - Int64(offsetSeconds)
        return Timestamp(epochMilliseconds: seconds * 1000 + Int64(millis))
    }

    public static func parse(_ string: String) -> Timestamp? {
        parse(Array(string.utf8))
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Howard Hinnant's days_from_civil.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int64) -> (Int, Int, Int) {
        let z = Int(z0) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

@inline(__always)
func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
