import Foundation

/// A strict, allocation-light JSON reader over one record's bytes. It validates everything
/// it passes over, and materialises only the values the decoder asks for.
struct JSONScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    private(set) var position = 0

    /// The contents of a string token, between its quotes.
    struct Span {
        var start: Int
        var end: Int
        var hasEscapes: Bool

        func text(in bytes: UnsafeBufferPointer<UInt8>) -> String {
            if !hasEscapes {
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
            }
            return JSONScanner.unescape(UnsafeBufferPointer(rebasing: bytes[start..<end]))
        }
    }

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var atEnd: Bool { position >= bytes.count }

    func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    private func fail(_ expected: String) -> DecodeError {
        .invalidJSON(offset: position, expected: expected)
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == byte else { throw fail(what) }
        position += 1
    }

    /// Calls `body` for each member of the object at the current position, with the scanner
    /// placed on the member's value; `body` must consume the value.
    mutating func forEachMember(depth: Int, _ body: (Span, inout JSONScanner) throws -> Void) throws {
        guard depth <= ContactDecoder.maxDepth else { throw DecodeError.tooDeep(limit: ContactDecoder.maxDepth) }
        try expect(UInt8(ascii: "{"), "'{'")
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            position += 1
            return
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw fail("a string key") }
            let key = try scanString()
            try expect(UInt8(ascii: ":"), "':' after a key")
            skipWhitespace()
            try body(key, &self)
            skipWhitespace()
            guard let next = peek() else { throw fail("',' or '}'") }
            position += 1
            if next == UInt8(ascii: "}") { return }
            guard next == UInt8(ascii: ",") else {
                position -= 1
                throw fail("',' or '}'")
            }
        }
    }

    /// Scans a string token starting at its opening quote; validates escapes and control characters.
    mutating func scanString() throws -> Span {
        position += 1
        let start = position
        var escapes = false
        while position < bytes.count {
            let byte = bytes[position]
            if byte == 0x22 {
                let span = Span(start: start, end: position, hasEscapes: escapes)
                position += 1
                return span
            }
            if byte == 0x5C {
                escapes = true
                position += 1
                guard position < bytes.count else { break }
                switch bytes[position] {
                case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74:
                    position += 1
                case 0x75:
                    guard position + 4 < bytes.count else { throw fail("four hex digits after \\u") }
                    for k in 1...4 where hexValue(bytes[position + k]) == nil {
                        position += k
                        throw fail("four hex digits after \\u")
                    }
                    position += 5
                default:
                    throw fail("a valid escape after '\\'")
                }
                continue
            }
            guard byte >= 0x20 else { throw fail("no control characters inside a string") }
            position += 1
        }
        throw fail("a closing quote")
    }

    /// Scans a number token; returns whether it is an integer (no fraction, no exponent).
    mutating func scanNumber() throws -> (start: Int, end: Int, isInteger: Bool) {
        let start = position
        var isInteger = true
        if peek() == UInt8(ascii: "-") { position += 1 }
        guard let first = peek(), isDigit(first) else { throw fail("a digit") }
        if first == UInt8(ascii: "0") {
            position += 1
        } else {
            while let b = peek(), isDigit(b) { position += 1 }
        }
        if peek() == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard let b = peek(), isDigit(b) else { throw fail("a digit after '.'") }
            while let b = peek(), isDigit(b) { position += 1 }
        }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            if let s = peek(), s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { position += 1 }
            guard let b = peek(), isDigit(b) else { throw fail("a digit in the exponent") }
            while let b = peek(), isDigit(b) { position += 1 }
        }
        return (start, position, isInteger)
    }

    private mutating func scanLiteral(_ word: StaticString) throws {
        let length = word.utf8CodeUnitCount
        guard position + length <= bytes.count,
              memcmp(bytes.baseAddress! + position, word.utf8Start, length) == 0 else {
            throw fail("a JSON value")
        }
        position += length
    }

    /// Skips any value, validating it. Nesting is bounded, so hostile input cannot overflow the stack.
    mutating func skipValue(depth: Int) throws {
        skipWhitespace()
        guard let byte = peek() else { throw fail("a value") }
        switch byte {
        case UInt8(ascii: "{"):
            try forEachMember(depth: depth + 1) { _, scanner in try scanner.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            guard depth + 1 <= ContactDecoder.maxDepth else { throw DecodeError.tooDeep(limit: ContactDecoder.maxDepth) }
            position += 1
            skipWhitespace()
            if peek() == UInt8(ascii: "]") {
                position += 1
                return
            }
            while true {
                try skipValue(depth: depth + 1)
                skipWhitespace()
                guard let next = peek() else { throw fail("',' or ']'") }
                if next == UInt8(ascii: "]") {
                    position += 1
                    return
                }
                guard next == UInt8(ascii: ",") else { throw fail("',' or ']'") }
                position += 1
            }
        case UInt8(ascii: "\""): _ = try scanString()
        case UInt8(ascii: "t"): try scanLiteral("true")
        case UInt8(ascii: "f"): try scanLiteral("false")
        case UInt8(ascii: "n"): try scanLiteral("null")
        default: _ = try scanNumber()
        }
    }

    /// A scalar as text: strings decoded, numbers and booleans as written, null and containers as nil.
    mutating func readText() throws -> String? {
        guard let byte = peek() else { throw fail("a value") }
        switch byte {
        case UInt8(ascii: "\""):
            return try scanString().text(in: bytes)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let number = try scanNumber()
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[number.start..<number.end]), as: UTF8.self)
        case UInt8(ascii: "t"):
            try scanLiteral("true")
            return "true"
        case UInt8(ascii: "f"):
            try scanLiteral("false")
            return "false"
        default:
            try skipValue(depth: 1)
            return nil
        }
    }

    /// `readText`, a string without escapes taken from `memory` when it holds it already.
    mutating func readText(sharedIn memory: DecoderMemory?) throws -> String? {
        guard let memory, peek() == UInt8(ascii: "\"") else { return try readText() }
        return text(of: try scanString(), sharedIn: memory)
    }

    /// A span's text, taken from `memory` when it holds it already.
    func text(of span: Span, sharedIn memory: DecoderMemory?) -> String {
        guard let memory, !span.hasEscapes else { return span.text(in: bytes) }
        return memory.text(UnsafeBufferPointer(rebasing: bytes[span.start..<span.end]))
    }

    /// Whether two spans of these bytes hold the same bytes.
    func same(_ a: Span, _ b: Span) -> Bool {
        let length = a.end - a.start
        return length == b.end - b.start && memcmp(bytes.baseAddress! + a.start, bytes.baseAddress! + b.start, length) == 0
    }

    /// Moves back to a position passed before (to read a value again).
    mutating func rewind(to position: Int) {
        precondition(position <= self.position)
        self.position = position
    }

    /// An integer field: a JSON number (a fraction is rounded) or a string holding one; else nil.
    mutating func readInteger() throws -> Int64? {
        guard let byte = peek() else { throw fail("a value") }
        switch byte {
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let number = try scanNumber()
            return JSONScanner.integer(UnsafeBufferPointer(rebasing: bytes[number.start..<number.end]), isInteger: number.isInteger)
        case UInt8(ascii: "\""):
            let text = try scanString().text(in: bytes).trimmingCharacters(in: .whitespaces)
            if let value = Int64(text) { return value }
            if let value = Double(text), value.isFinite, abs(value) < 9e15 { return Int64(value.rounded()) }
            return nil
        default:
            try skipValue(depth: 1)
            return nil
        }
    }

    /// A timestamp: an ISO 8601 string, or a number of epoch seconds (milliseconds when large).
    mutating func readTimestamp() throws -> Timestamp? {
        guard let byte = peek() else { throw fail("a value") }
        switch byte {
        case UInt8(ascii: "\""):
            let span = try scanString()
            if !span.hasEscapes {
                return Timestamp.parse(UnsafeBufferPointer(rebasing: bytes[span.start..<span.end]))
            }
            return Timestamp.parse(span.text(in: bytes))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let number = try scanNumber()
            guard let value = JSONScanner.integer(UnsafeBufferPointer(rebasing: bytes[number.start..<number.end]), isInteger: number.isInteger) else { return nil }
            return Timestamp(epochMilliseconds: abs(value) >= 100_000_000_000 ? value : value * 1000)
        default:
            try skipValue(depth: 1)
            return nil
        }
    }

    /// An attribute value: strings decoded, null as nil, anything else as its JSON text.
    mutating func readAttributeValue(depth: Int) throws -> String? {
        guard let byte = peek() else { throw fail("a value") }
        switch byte {
        case UInt8(ascii: "\""):
            return try scanString().text(in: bytes)
        case UInt8(ascii: "n"):
            try scanLiteral("null")
            return nil
        default:
            let start = position
            try skipValue(depth: depth)
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        }
    }

    static func integer(_ digits: UnsafeBufferPointer<UInt8>, isInteger: Bool) -> Int64? {
        let text = String(decoding: digits, as: UTF8.self)
        if isInteger, let value = Int64(text) { return value }
        if let value = Double(text), value.isFinite, abs(value) < 9e15 { return Int64(value.rounded()) }
        return nil
    }

    /// Decodes escapes; a lone surrogate becomes U+FFFD (the raw record keeps the original).
    static func unescape(_ s: UnsafeBufferPointer<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = 0
        func hex4(_ at: Int) -> UInt32 {
            var v: UInt32 = 0
            for k in 0..<4 { v = v << 4 | UInt32(hexValue(s[at + k]) ?? 0) }
            return v
        }
        func append(scalar: UInt32) {
            let value = Unicode.Scalar(scalar) ?? "\u{FFFD}"
            out.append(contentsOf: Array(String(Character(value)).utf8))
        }
        while i < s.count {
            let byte = s[i]
            guard byte == 0x5C, i + 1 < s.count else {
                out.append(byte)
                i += 1
                continue
            }
            let kind = s[i + 1]
            i += 2
            switch kind {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard i + 4 <= s.count else { i = s.count; continue }
                var scalar = hex4(i)
                i += 4
                if (0xD800...0xDBFF).contains(scalar), i + 6 <= s.count, s[i] == 0x5C, s[i + 1] == UInt8(ascii: "u") {
                    let low = hex4(i + 2)
                    if (0xDC00...0xDFFF).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                }
                append(scalar: scalar)
            default: out.append(kind)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

@inline(__always) private func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

@inline(__always) func hexValue(_ b: UInt8) -> UInt8? {
    switch b {
    case 0x30...0x39: return b - 0x30
    case 0x41...0x46: return b - 0x41 + 10
    case 0x61...0x66: return b - 0x61 + 10
    default: return nil
    }
}
