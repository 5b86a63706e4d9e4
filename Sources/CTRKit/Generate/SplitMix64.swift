/// The generator's only source of randomness: SplitMix64, seeded from `--seed`, so the
/// same seed gives a byte-identical export on every platform and Swift version.
/// (`SystemRandomNumberGenerator` is never used, and `Int.random(in:using:)` is avoided
/// because its algorithm is not guaranteed to stay the same across releases.)
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// An independent stream for one item (a journey, the file namer) of one run, so any
    /// journey can be rebuilt on its own from the seed and its index.
    public init(seed: UInt64, stream: UInt64) {
        var mixer = SplitMix64(seed: seed ^ (stream &* 0x9E37_79B9_7F4A_7C15))
        state = mixer.next() ^ stream
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1), from the top 53 bits.
    public mutating func unit() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// Uniform in `range` (inclusive), by multiply-shift: fixed, documented arithmetic.
    public mutating func int(_ range: ClosedRange<Int>) -> Int {
        let width = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int(next().multipliedFullWidth(by: width).high)
    }

    public mutating func int64(_ range: ClosedRange<Int64>) -> Int64 {
        let width = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int64(next().multipliedFullWidth(by: width).high)
    }

    /// One element of a non-empty array.
    public mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    /// An index drawn with the given relative weights.
    public mutating func weighted(_ weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        var x = unit() * total
        for (i, w) in weights.enumerated() {
            if x < w { return i }
            x -= w
        }
        return weights.count - 1
    }

    /// A duration in seconds, roughly exponential around `mean`, clamped to `range`:
    /// queue waits and talk times have long right tails.
    public mutating func seconds(mean: Double, _ range: ClosedRange<Int64>) -> Int64 {
        let u = max(unit(), 1e-12)
        let x = Int64((-mean * Self.naturalLog(u)).rounded())
        return min(max(x, range.lowerBound), range.upperBound)
    }

    /// ln(x) for x > 0 from basic arithmetic only: the C library's `log` may differ in the
    /// last bit between platforms, and one rounded second would change the whole export.
    static func naturalLog(_ x: Double) -> Double {
        // x = m * 2^e with m in [1, 2); ln m = 2 atanh(s) with s = (m - 1) / (m + 1) < 1/3.
        let m = x.significand
        let s = (m - 1) / (m + 1)
        let s2 = s * s
        var term = s
        var sum = 0.0
        for k in stride(from: 1.0, through: 31.0, by: 2.0) {
            sum += term / k
            term *= s2
        }
        return 2 * sum + Double(x.exponent) * 0.693_147_180_559_945_3
    }

    /// A version-4 UUID in lower-case text, like Connect's contact ids.
    public mutating func uuid() -> String {
        let a = next(), b = next()
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            bytes[i] = UInt8(truncatingIfNeeded: a >> (56 - 8 * UInt64(i)))
            bytes[8 + i] = UInt8(truncatingIfNeeded: b >> (56 - 8 * UInt64(i)))
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(36)
        for (i, byte) in bytes.enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { out.append(45) }
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
