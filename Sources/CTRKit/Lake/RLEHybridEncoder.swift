/// Parquet's RLE / bit-packing hybrid (Encodings.md, RLE = 3), used for definition levels.
///
/// A run of eight or more equal values becomes an RLE run (`varint(count << 1)`, then the value
/// in whole bytes); everything else is bit-packed in groups of eight (`varint(groups << 1 | 1)`,
/// then the values packed from each byte's least significant bit up). A bit-packed run can only
/// end mid-stream on a multiple of eight values, so a literal run is first topped up to eight
/// from the run that follows it; only the last group is padded, with zeros, which a reader
/// ignores because the page header gives the number of values.
enum RLEHybridEncoder {
    /// Encodes `values` (each below `1 << bitWidth`, `bitWidth` in 1...8) without a length prefix.
    static func encode(_ values: [UInt8], bitWidth: Int) -> [UInt8] {
        precondition((1...8).contains(bitWidth), "bit widths above 8 are not needed for flat columns")
        var output: [UInt8] = []
        var literals: [UInt8] = []
        var index = 0
        while index < values.count {
            let value = values[index]
            var end = index + 1
            while end < values.count && values[end] == value { end += 1 }
            var run = end - index
            if literals.count % 8 != 0 {
                let fill = min(run, 8 - literals.count % 8)
                literals.append(contentsOf: repeatElement(value, count: fill))
                run -= fill
            }
            if run >= 8 {
                appendBitPacked(&literals, bitWidth: bitWidth, to: &output)
                appendVarint(UInt64(run) << 1, to: &output)
                output.append(value)  // one byte holds any value of up to 8 bits
            } else {
                literals.append(contentsOf: repeatElement(value, count: run))
            }
            index = end
        }
        appendBitPacked(&literals, bitWidth: bitWidth, to: &output)
        return output
    }

    /// Definition levels of a data page v1: the encoded runs behind their 4-byte little-endian length.
    static func lengthPrefixed(_ values: [UInt8], bitWidth: Int) -> [UInt8] {
        let encoded = encode(values, bitWidth: bitWidth)
        var output = withUnsafeBytes(of: UInt32(encoded.count).littleEndian, Array.init)
        output.append(contentsOf: encoded)
        return output
    }

    /// Writes the pending literals as one bit-packed run (zero-padded to a multiple of 8) and empties them.
    private static func appendBitPacked(_ literals: inout [UInt8], bitWidth: Int, to output: inout [UInt8]) {
        guard !literals.isEmpty else { return }
        let groups = (literals.count + 7) / 8
        appendVarint(UInt64(groups) << 1 | 1, to: &output)
        var packed = [UInt8](repeating: 0, count: groups * bitWidth)
        for (position, value) in literals.enumerated() {
            for bit in 0..<bitWidth where value >> bit & 1 == 1 {
                let offset = position * bitWidth + bit
                packed[offset / 8] |= 1 << (offset % 8)
            }
        }
        output.append(contentsOf: packed)
        literals.removeAll(keepingCapacity: true)
    }

    static func appendVarint(_ value: UInt64, to output: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            output.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        output.append(UInt8(value))
    }
}
