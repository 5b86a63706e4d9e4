import Foundation

/// What a stream's decoder keeps from one record to the next, so that decoding a record
/// allocates little: the texts that repeat (`text`), and a reused list of attribute keys.
///
/// One per `RecordStream`, used on the thread that decodes it.
final class DecoderMemory {
    /// The attribute keys of the record being decoded (`ContactDecoder.decodeAttributes`).
    var keys: [JSONScanner.Span] = []

    /// Texts longer than Swift keeps inline (15 bytes), by a hash of their bytes: one slot per
    /// hash, the last text seen there.
    private var slots = [String?](repeating: nil, count: DecoderMemory.slotCount)

    private static let slotCount = 256

    /// The fields that repeat from record to record (instance, queue and agent ARNs, names, a
    /// few enumerations, the keys of `Queue` and `Agent`) as one shared string each: a record
    /// holds a reference to it instead of its own copy, which the loading thread would free
    /// again. A 7-day export has one instance ARN, 5 queue ARNs, 20 agent ARNs and usernames,
    /// 5 disconnect reasons.
    func text(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard bytes.count > 15, let base = bytes.baseAddress else { return String(decoding: bytes, as: UTF8.self) }
        let slot = Self.slot(of: bytes)
        if var cached = slots[slot], cached.utf8.count == bytes.count,
           cached.withUTF8({ memcmp($0.baseAddress!, base, bytes.count) == 0 }) {
            return cached
        }
        let text = String(decoding: bytes, as: UTF8.self)
        slots[slot] = text
        return text
    }

    /// FNV-1a over the length and the last 16 bytes: repeated texts differ at their end (the id
    /// closing an ARN), and the comparison in `text` settles the rest.
    private static func slot(of bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(bytes.count)
        for byte in bytes[(bytes.count - 16)...] {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return Int(hash % UInt64(slotCount))
    }
}
