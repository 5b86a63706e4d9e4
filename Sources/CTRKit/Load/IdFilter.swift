/// The contact ids a run into a new database has loaded or seen named (a Bloom filter): a
/// record whose id is not in it cannot meet anything stored, so the loader skips its probe.
/// Most records of a first load are the first of their leg. When more ids arrive than it was
/// sized for, it stops answering (`mayContain` is then always true) rather than err.
struct IdFilter {
    private var bits: [UInt64]
    private let size: UInt64
    private let capacity: Int
    /// The ids inserted that it did not hold yet.
    private var count = 0

    /// Room for `capacity` ids at about 1% false positives (10 bits each, 7 probes).
    init(capacity: Int) {
        self.capacity = capacity
        size = UInt64(max(64, capacity * 10))
        bits = Array(repeating: 0, count: Int(size + 63) / 64)
    }

    /// Sized for an input of `bytes`: gzipped Firehose objects hold a delivery per 150 bytes or
    /// so, and a first load has about as many distinct ids (legs, and the ids they name) as
    /// deliveries. Plain JSON input over-sizes it, so it is capped at 4 million ids (5 MB: the
    /// 90-day first load's 4.2 MB left its peak RSS at 215 MB); past them, probes resume.
    init(inputBytes: Int64) {
        self.init(capacity: Int(min(max(inputBytes / 100, 4096), 4_000_000)))
    }

    /// Two hashes of an id: FNV-1a over its bytes (stable, and cheap for 36-character ids), and
    /// an odd step derived from it.
    private static func hashes(_ id: String) -> (UInt64, UInt64) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return (hash, (hash >> 29 | hash << 35) &* 0x9e37_79b9_7f4a_7c15 | 1)
    }

    /// The id's `probe`th bit (of 7), mapped onto the array by a multiply.
    private func position(_ probe: UInt64, _ hashes: (UInt64, UInt64)) -> Int {
        Int((hashes.0 &+ probe &* hashes.1).multipliedFullWidth(by: size).high)
    }

    /// Adds an id; returns whether the filter may have held it already (as `mayContain` would
    /// have answered), always true once it is full.
    @discardableResult
    mutating func insert(_ id: String) -> Bool {
        guard count <= capacity else { return true }
        let hashes = Self.hashes(id)
        var held = true
        for probe in 0..<UInt64(7) {
            let bit = position(probe, hashes)
            let mask: UInt64 = 1 << UInt64(bit & 63)
            if bits[bit >> 6] & mask == 0 {
                held = false
                bits[bit >> 6] |= mask
            }
        }
        if !held { count += 1 }
        return held
    }

    /// False only for an id never inserted.
    func mayContain(_ id: String) -> Bool {
        guard count <= capacity else { return true }
        let hashes = Self.hashes(id)
        for probe in 0..<UInt64(7) {
            let bit = position(probe, hashes)
            if bits[bit >> 6] & (1 << UInt64(bit & 63)) == 0 { return false }
        }
        return true
    }
}
