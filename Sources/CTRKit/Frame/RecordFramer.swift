import Foundation

/// A span of the byte stream that the framer cut out: a candidate record, or bytes that
/// cannot be one.
public struct FramedChunk: Sendable {
    public enum Kind: Equatable, Sendable {
        /// A brace-balanced object: a record if it also decodes.
        case object
        /// The stream ended inside an object.
        case unterminated
        /// An object that broke on a byte JSON never allows (a control character, NUL).
        case brokenObject(reason: String)
        /// An object longer than the size limit; `bytes` holds only its start.
        case oversized(totalLength: Int64)
        /// Bytes between records that are not JSON; `bytes` holds at most the first 64 KiB.
        case garbage(totalLength: Int64)
    }

    public var kind: Kind
    /// The chunk's bytes exactly as they stood in the stream (truncated for oversized and garbage).
    public var bytes: [UInt8]
    /// Offset of the first byte in the (decompressed) stream.
    public var offset: Int64
    /// Hash of the bytes with the white space between tokens left out, so the same record
    /// pretty-printed or compact hashes alike.
    public var contentHash: UInt64

    /// The length in the stream, which for oversized and garbage chunks exceeds `bytes.count`.
    public var streamLength: Int64 {
        switch kind {
        case let .oversized(total), let .garbage(total): return total
        default: return Int64(bytes.count)
        }
    }
}

/// Splits a byte stream into JSON objects: concatenated (`}{`), newline-delimited, inside
/// arrays, pretty-printed, or any mixture. It tracks strings and escapes, so braces inside
/// string values never cut a record, and never splits on newlines.
///
/// Memory is bounded: one buffer of `maxRecordSize` plus one read chunk. A longer object is
/// skipped while its nesting is tracked, and reported as `oversized` with its first bytes.
public final class RecordFramer {
    public static let defaultMaxRecordSize = 4 * 1024 * 1024
    static let keptPrefix = 64 * 1024

    private let source: ByteSource
    private let maxRecordSize: Int
    private let readSize: Int
    private var buffer: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    /// Absolute stream offset of `buffer[0]`.
    private var base: Int64
    private var scan = 0
    private var end = 0
    private var atEnd = false

    private enum State { case top, object, garbage, skipping }
    private var state: State = .top
    private var chunkStart = 0
    private var depth = 0
    private var inString = false
    private var escaped = false
    private var hash: UInt64 = FNV.offsetBasis
    /// For garbage and skipped oversized objects, which may be longer than the buffer.
    private var longChunkOffset: Int64 = 0
    private var longChunkLength: Int64 = 0
    private var longChunkPrefix: [UInt8] = []
    private var sawFirstByte = false

    public init(source: ByteSource, maxRecordSize: Int = RecordFramer.defaultMaxRecordSize, baseOffset: Int64 = 0, readSize: Int = 256 * 1024) {
        self.source = source
        self.maxRecordSize = max(maxRecordSize, 64)
        self.readSize = readSize
        self.capacity = self.maxRecordSize + readSize + 1
        self.buffer = .allocate(capacity: capacity)
        self.base = baseOffset
    }

    deinit { buffer.deallocate() }

    /// Bytes of the stream framed so far.
    public var position: Int64 { base + Int64(scan) }

    /// The next chunk, or nil at the end of the stream.
    public func next() throws -> FramedChunk? {
        while true {
            if scan == end {
                if atEnd { return finish() }
                try refill()
                continue
            }
            switch state {
            case .top:
                let byte = buffer[scan]
                switch byte {
                case 0x20, 0x0A, 0x0D, 0x09, UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"):
                    scan += 1
                case UInt8(ascii: "{"):
                    beginObject()
                case 0xEF where !sawFirstByte && base + Int64(scan) == 0:
                    // A UTF-8 byte order mark at the start of the stream.
                    if end - scan < 3 && !atEnd { try refill(); continue }
                    if end - scan >= 3, buffer[scan + 1] == 0xBB, buffer[scan + 2] == 0xBF {
                        scan += 3
                    } else {
                        beginGarbage()
                    }
                default:
                    beginGarbage()
                }
                sawFirstByte = true
            case .object:
                if let chunk = scanObject() { return chunk }
            case .garbage:
                if let chunk = scanGarbage() { return chunk }
            case .skipping:
                if let chunk = scanSkipping() { return chunk }
            }
        }
    }

    private func beginObject() {
        state = .object
        chunkStart = scan
        depth = 0
        inString = false
        escaped = false
        hash = FNV.offsetBasis
    }

    private func beginGarbage() {
        state = .garbage
        chunkStart = scan
        longChunkOffset = base + Int64(scan)
        longChunkLength = 0
        longChunkPrefix = []
    }

    /// Scans an object until its closing brace, the end of the buffer, a forbidden byte or the size limit.
    private func scanObject() -> FramedChunk? {
        var i = scan
        var h = hash
        var d = depth
        var inStr = inString
        var esc = escaped
        defer {
            hash = h; depth = d; inString = inStr; escaped = esc
        }
        let limit = min(end, chunkStart + maxRecordSize)
        while i < limit {
            let byte = buffer[i]
            if inStr {
                h = (h ^ UInt64(byte)) &* FNV.prime
                if esc {
                    esc = false
                } else if byte == 0x5C {
                    esc = true
                } else if byte == 0x22 {
                    inStr = false
                } else if byte < 0x20 {
                    scan = i
                    return brokenObject(at: i, reason: byte == 0 ? "a NUL byte inside a string" : "an unescaped control character inside a string")
                }
                i += 1
                continue
            }
            switch byte {
            case 0x20, 0x0A, 0x0D, 0x09:
                i += 1
                continue
            case 0x22:
                inStr = true
            case 0x7B, 0x5B:
                d += 1
            case 0x7D, 0x5D:
                d -= 1
            default:
                if byte < 0x20 {
                    scan = i
                    return brokenObject(at: i, reason: byte == 0 ? "a NUL byte" : "a control character outside any string")
                }
            }
            h = (h ^ UInt64(byte)) &* FNV.prime
            i += 1
            if d == 0 {
                scan = i
                state = .top
                return FramedChunk(kind: .object, bytes: copy(chunkStart, i), offset: base + Int64(chunkStart), contentHash: h)
            }
        }
        scan = i
        if i - chunkStart >= maxRecordSize {
            // Too long to hold: keep its start, then follow its nesting without buffering.
            state = .skipping
            longChunkOffset = base + Int64(chunkStart)
            longChunkLength = Int64(i - chunkStart)
            longChunkPrefix = copy(chunkStart, min(i, chunkStart + RecordFramer.keptPrefix))
            chunkStart = i
        }
        return nil
    }

    /// An object that met a forbidden byte. Usually a record cut short (a truncated line of
    /// NDJSON meets its newline inside a string): when a record plausibly starts again inside
    /// it, framing resumes there, so a pretty-printed record after the damage is framed whole;
    /// what came before is handed on. Otherwise a forbidden line break or tab is white space
    /// between records, and any other forbidden byte starts a garbage run.
    private func brokenObject(at i: Int, reason: String) -> FramedChunk {
        let bytes = copy(chunkStart, i)
        let restart = Resync.restartPosition(in: bytes, allowingOpenEnd: true)
        let chunk = FramedChunk(kind: .brokenObject(reason: "\(reason) at byte \(base + Int64(i))"), bytes: restart.map { Array(bytes[..<$0]) } ?? bytes,
                                offset: base + Int64(chunkStart), contentHash: hash)
        if let restart {
            scan = chunkStart + restart
            state = .top
        } else if Resync.isWhitespace(buffer[i]) {
            state = .top
        } else {
            beginGarbage()
        }
        return chunk
    }

    private func scanSkipping() -> FramedChunk? {
        var i = scan
        while i < end {
            let byte = buffer[i]
            i += 1
            if inString {
                if escaped { escaped = false } else if byte == 0x5C { escaped = true } else if byte == 0x22 { inString = false }
                continue
            }
            switch byte {
            case 0x22: inString = true
            case 0x7B, 0x5B: depth += 1
            case 0x7D, 0x5D:
                depth -= 1
                if depth == 0 {
                    longChunkLength += Int64(i - scan)
                    scan = i
                    state = .top
                    return FramedChunk(kind: .oversized(totalLength: longChunkLength), bytes: longChunkPrefix, offset: longChunkOffset, contentHash: 0)
                }
            default: break
            }
        }
        longChunkLength += Int64(i - scan)
        scan = i
        chunkStart = i
        return nil
    }

    /// Garbage runs until the next `{` at top level.
    private func scanGarbage() -> FramedChunk? {
        var i = scan
        while i < end, buffer[i] != 0x7B { i += 1 }
        appendGarbage(upTo: i)
        scan = i
        chunkStart = i
        if i < end {
            state = .top
            return garbageChunk()
        }
        return nil
    }

    private func appendGarbage(upTo i: Int) {
        let room = RecordFramer.keptPrefix - longChunkPrefix.count
        if room > 0 {
            let take = min(room, i - chunkStart)
            longChunkPrefix.append(contentsOf: UnsafeBufferPointer(start: buffer + chunkStart, count: take))
        }
        longChunkLength += Int64(i - chunkStart)
    }

    private func garbageChunk() -> FramedChunk {
        let chunk = FramedChunk(kind: .garbage(totalLength: longChunkLength), bytes: longChunkPrefix, offset: longChunkOffset, contentHash: 0)
        longChunkPrefix = []
        longChunkLength = 0
        return chunk
    }

    /// At the end of the stream: whatever was open becomes a final chunk.
    private func finish() -> FramedChunk? {
        let current = state
        state = .top
        switch current {
        case .top:
            return nil
        case .object:
            guard scan > chunkStart else { return nil }
            let chunk = FramedChunk(kind: .unterminated, bytes: copy(chunkStart, scan), offset: base + Int64(chunkStart), contentHash: hash)
            chunkStart = scan
            return chunk
        case .garbage:
            return longChunkLength > 0 ? garbageChunk() : nil
        case .skipping:
            return FramedChunk(kind: .oversized(totalLength: longChunkLength), bytes: longChunkPrefix, offset: longChunkOffset, contentHash: 0)
        }
    }

    private func copy(_ from: Int, _ to: Int) -> [UInt8] {
        Array(UnsafeBufferPointer(start: buffer + from, count: to - from))
    }

    /// Moves the bytes still needed to the front of the buffer and reads more.
    private func refill() throws {
        let keep: Int
        switch state {
        case .object: keep = chunkStart
        case .garbage, .skipping, .top: keep = scan
        }
        if state == .garbage {
            appendGarbage(upTo: scan)
            chunkStart = scan
        }
        if keep > 0 {
            let remaining = end - keep
            if remaining > 0 { buffer.update(from: buffer + keep, count: remaining) }
            base += Int64(keep)
            scan -= keep
            end -= keep
            chunkStart -= keep
            if chunkStart < 0 { chunkStart = 0 }
        }
        let room = capacity - end
        precondition(room > 0, "framer buffer full")
        let n = try source.read(into: UnsafeMutableRawBufferPointer(start: buffer + end, count: min(room, readSize)))
        if n == 0 { atEnd = true }
        end += n
    }
}

/// 64-bit FNV-1a: simple, stable across runs and platforms (Swift's `Hasher` is seeded per process).
enum FNV {
    static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01b3

    static func hash<C: Sequence>(_ bytes: C, seed: UInt64 = offsetBasis) -> UInt64 where C.Element == UInt8 {
        var h = seed
        for byte in bytes { h = (h ^ UInt64(byte)) &* prime }
        return h
    }
}

extension RecordFramer {
    /// The content hash of a whole record held in memory, equal to the one framing computes.
    public static func contentHash(of bytes: [UInt8]) -> UInt64 {
        let framer = RecordFramer(source: MemorySource(bytes), maxRecordSize: max(bytes.count, 64))
        return (try? framer.next())?.contentHash ?? 0
    }
}
