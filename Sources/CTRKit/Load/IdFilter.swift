/// The contact ids a run into a new database has loaded or seen named (a Bloom filter): a
/// record whose id is not in it cannot meet anything stored, so the loader skips its probe.
/// Most records of a first load are the first of their leg. When more ids arrive than it was
/// sized for, it stops answering (`mayContain` is then always true) rather than err.
struct IdFilter {
    private var bits: [UInt64]
    private let mask: Int
    private let capacity: Int
    private var count = 0

    /// Room for `capacity` ids at about 1% false positives (10 bits each, 7 probes).
    init(capacity: Int) {
        self.capacity = capacity
        var size = 64
        while size < capacity * 10 { size <<= 1 }
        bits = Array(repeating: 0, count: size / 64)
        mask = size - 1
    }

    /// Sized for an input of `bytes`: gzipped Firehose objects hold a record per 150 bytes or so,
    /// and each record adds its id and the ids it names. Plain JSON input over-sizes it, so it is
    /// capped (15 MB).
    init(inputBytes: Int64) {
        self.init(capacity: Int(min(max(inputBytes / 50, 4096), 12_000_000)))
    }

    private static func probes(_ id: String) -> (UInt64, UInt64) {
        // FNV-1a over the bytes: stable, and cheap for 36-character ids.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let second = (hash >> 29 | hash << 35) &* 0x9e37_79b9_7f4a_7c15
        return (hash, second | 1)
    }

    mutating func insert(_ id: String) {
        guard count <= capacity else { return }
        count += 1
        let (first, step) = Self.probes(id)
        for i in 0..<UInt64(7) {
            let bit = Int(truncatingIfNeeded: first &+ i &* step) & mask
            bits[bit >> 6] |= 1 << UInt64(bit & 63)
        }
    }

    /// False only for an id never inserted.
    func mayContain(_ id: String) -> Bool {
        guard count <= capacity else { return true }
        let (first, step) = Self.probes(id)
        for i in 0..<UInt64(7) {
            let bit = Int(truncatingIfNeeded: first &+ i &* step) & mask
            if bits[bit >> 6] & (1 << UInt64(bit & 63)) == 0 { return false }
        }
        return true
    }
}
