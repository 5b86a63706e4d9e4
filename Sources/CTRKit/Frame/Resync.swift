/// Finding where a record may start again inside bytes that did not decode.
///
/// A truncated record followed by good ones frames as one long invalid chunk, because the
/// truncation shifts which quotes open strings. Inside such a chunk, a `{` that follows
/// neither `:`, `,` nor `[` (so it is not a nested value) and opens an object (`{"` or `{}`)
/// is where a record plausibly starts; the caller re-frames from there.
public enum Resync {
    /// With `allowingOpenEnd`, a `{` followed only by white space up to the end of `bytes` counts
    /// too: the framer uses it when the bytes stop where a pretty-printed record's first line ends.
    public static func restartPosition(in bytes: [UInt8], allowingOpenEnd: Bool = false) -> Int? {
        guard bytes.count > 1 else { return nil }
        var previous: UInt8 = bytes[0]
        for index in 1..<bytes.count {
            let byte = bytes[index]
            if byte == 0x7B, previous != UInt8(ascii: ":"), previous != UInt8(ascii: ","), previous != UInt8(ascii: "["),
               opensObject(bytes, after: index, allowingOpenEnd: allowingOpenEnd) {
                return index
            }
            if !isWhitespace(byte) { previous = byte }
        }
        return nil
    }

    private static func opensObject(_ bytes: [UInt8], after index: Int, allowingOpenEnd: Bool) -> Bool {
        var next = index + 1
        while next < bytes.count, isWhitespace(bytes[next]) { next += 1 }
        if next == bytes.count { return allowingOpenEnd }
        return bytes[next] == 0x22 || bytes[next] == 0x7D
    }

    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }
}
