/// A stable 64-bit hash of a whole file, to tell whether a file was already ingested.
/// Not cryptographic: it detects changed files, it does not resist forgery.
public struct ContentHasher {
    private var state = FNV.offsetBasis
    private var pending: [UInt8] = []
    public private(set) var byteCount: Int64 = 0

    public init() {}

    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        byteCount += Int64(buffer.count)
        var bytes = buffer[...]
        if !pending.isEmpty {
            let take = min(8 - pending.count, bytes.count)
            pending.append(contentsOf: bytes.prefix(take))
            bytes = bytes.dropFirst(take)
            if pending.count == 8 {
                pending.withUnsafeBytes { mix($0.loadUnaligned(as: UInt64.self)) }
                pending.removeAll(keepingCapacity: true)
            }
        }
        var index = bytes.startIndex
        let base = buffer.baseAddress!
        while bytes.endIndex - index >= 8 {
            mix(base.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            index += 8
        }
        pending.append(contentsOf: buffer[index..<bytes.endIndex])
    }

    @inline(__always)
    private mutating func mix(_ word: UInt64) {
        state = (state ^ word) &* FNV.prime
        state ^= state >> 29
    }

    public func finalize() -> UInt64 {
        var h = FNV.hash(pending, seed: state)
        h ^= UInt64(bitPattern: byteCount)
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        return h
    }

    /// Hashes a file by streaming it in fixed-size chunks.
    public static func hashFile(_ path: String) throws -> (hash: UInt64, size: Int64) {
        let source = try FileSource(path: path)
        var hasher = ContentHasher()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let n = try source.read(into: buffer)
            if n == 0 { break }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
        }
        return (hasher.finalize(), hasher.byteCount)
    }
}

/// Passes bytes through while hashing them, so a file read once is also fingerprinted.
public final class HashingSource: ByteSource {
    private let upstream: ByteSource
    public private(set) var hasher = ContentHasher()

    public init(_ upstream: ByteSource) { self.upstream = upstream }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = try upstream.read(into: buffer)
        if n > 0 { hasher.update(UnsafeRawBufferPointer(rebasing: buffer[..<n])) }
        return n
    }
}
