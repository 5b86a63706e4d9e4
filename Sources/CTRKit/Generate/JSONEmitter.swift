/// Appends JSON to a reusable byte buffer, compact (as Connect sends records) or
/// pretty-printed with two-space indents (as some export tools write them). Writing
/// bytes directly keeps the generator near disk speed; Foundation's encoders would also
/// reorder keys and escape slashes, which Connect does not.
struct JSONEmitter {
    var bytes: [UInt8] = []
    var pretty = false
    private var depth = 0
    /// A value was written at this level, so the next one needs a comma.
    private var needsComma = false
    /// A key was just written; its value follows without separator.
    private var afterKey = false

    init(capacity: Int = 8192) { bytes.reserveCapacity(capacity) }

    mutating func reset(pretty: Bool) {
        bytes.removeAll(keepingCapacity: true)
        self.pretty = pretty
        depth = 0
        needsComma = false
        afterKey = false
    }

    private mutating func separate() {
        if afterKey {
            afterKey = false
            return
        }
        if needsComma { bytes.append(0x2C) }
        if pretty && depth > 0 { newline() }
    }

    private mutating func newline() {
        bytes.append(0x0A)
        for _ in 0..<(depth * 2) { bytes.append(0x20) }
    }

    mutating func beginObject() { open(0x7B) }
    mutating func endObject() { close(0x7D) }
    mutating func beginArray() { open(0x5B) }
    mutating func endArray() { close(0x5D) }

    private mutating func open(_ bracket: UInt8) {
        separate()
        bytes.append(bracket)
        depth += 1
        needsComma = false
    }

    private mutating func close(_ bracket: UInt8) {
        let empty = !needsComma
        depth -= 1
        if pretty && !empty { newline() }
        bytes.append(bracket)
        needsComma = true
    }

    /// A member name; keys are plain ASCII literals, so they need no escaping.
    mutating func key(_ name: StaticString) {
        separate()
        bytes.append(0x22)
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: pretty ? [0x22, 0x3A, 0x20] : [0x22, 0x3A])
        afterKey = true
    }

    /// A member name that comes from data (attribute keys).
    mutating func key(_ name: String) {
        separate()
        JSONText.appendQuoted(name, to: &bytes)
        bytes.append(0x3A)
        if pretty { bytes.append(0x20) }
        afterKey = true
    }

    mutating func null() {
        separate()
        bytes.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        needsComma = true
    }

    mutating func string(_ value: String?) {
        guard let value else { return null() }
        separate()
        JSONText.appendQuoted(value, to: &bytes)
        needsComma = true
    }

    mutating func int(_ value: Int64?) {
        guard let value else { return null() }
        separate()
        appendDecimal(value)
        needsComma = true
    }

    /// A finite number as Swift writes it: the shortest text that reads back as the same
    /// `Double`, the same on every platform (Swift's own algorithm, not the C library's).
    mutating func double(_ value: Double) {
        separate()
        appendRaw(value.description)
        needsComma = true
    }

    /// `2024-03-04T10:00:00Z`, or `2024-03-04T10:00:00.123Z` when the time has milliseconds.
    mutating func timestamp(_ epochMilliseconds: Int64?) {
        guard let ms = epochMilliseconds else { return null() }
        separate()
        bytes.append(0x22)
        appendTimestampDigits(ms)
        bytes.append(0x22)
        needsComma = true
    }

    /// Helpers for text built from parts (recording paths): no quoting, no separators.
    mutating func appendTimestampDigits(_ ms: Int64) {
        let t = CivilTime(ms)
        pad(t.year, 4); bytes.append(0x2D); pad(t.month, 2); bytes.append(0x2D); pad(t.day, 2)
        bytes.append(0x54)
        pad(t.hour, 2); bytes.append(0x3A); pad(t.minute, 2); bytes.append(0x3A); pad(t.second, 2)
        if t.millisecond != 0 {
            bytes.append(0x2E)
            pad(t.millisecond, 3)
        }
        bytes.append(0x5A)
    }

    mutating func pad(_ value: Int, _ width: Int) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var v = value
        while divisor > 0 {
            bytes.append(UInt8(48 + v / divisor % 10))
            v %= divisor
            divisor /= 10
        }
    }

    mutating func appendDecimal(_ value: Int64) {
        if value < 0 { bytes.append(0x2D) }
        var v = value.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[n] = UInt8(48 + v % 10)
                v /= 10
                n += 1
            } while v > 0
            for i in stride(from: n - 1, through: 0, by: -1) { bytes.append(buffer[i]) }
        }
    }

    mutating func appendRaw(_ text: String) { bytes.append(contentsOf: text.utf8) }
}

/// A UTC time split into calendar fields, for timestamps, folder and object names.
struct CivilTime {
    var year, month, day, hour, minute, second, millisecond: Int

    init(_ epochMilliseconds: Int64) {
        let seconds = floorDiv(epochMilliseconds, 1000)
        let days = floorDiv(seconds, 86_400)
        let secondOfDay = Int(seconds - days * 86_400)
        (year, month, day) = Timestamp.civil(fromDays: days)
        hour = secondOfDay / 3600
        minute = secondOfDay / 60 % 60
        second = secondOfDay % 60
        millisecond = Int(epochMilliseconds - seconds * 1000)
    }
}
