import CZlib
import Foundation

/// Why a compressed stream stopped early. Everything inflated before the damage was
/// handed on; the file is then recorded as `partial`.
public struct StreamDamage: Equatable, Sendable {
    /// Offset in the compressed file where the damage was found.
    public var compressedOffset: Int64
    public var reason: String
}

/// Inflates gzip when the stream starts with the gzip magic bytes `1f 8b`, and passes
/// anything else through unchanged: gzip is detected by content, never by extension.
///
/// Multi-member gzip (`cat a.gz b.gz`) is read to the end. A truncated or corrupt member
/// ends the stream after the last good byte and sets `damage`, so the caller keeps what
/// was read and marks the file partial.
public final class DecompressingSource: ByteSource {
    private let upstream: ByteSource
    private var input: UnsafeMutableRawBufferPointer
    private var inputStart = 0
    private var inputEnd = 0
    private var upstreamEnded = false
    /// Offset in the compressed stream of `input[0]`.
    private var inputBase: Int64 = 0
    private var stream = z_stream()
    private var mode: Mode = .undetermined
    private var finished = false
    /// Set when the compressed stream was damaged; reading then stops.
    public private(set) var damage: StreamDamage?
    /// Whether the input was gzip (known after the first read).
    public var isGzip: Bool { mode == .gzip }
    /// Compressed bytes consumed so far, for progress display.
    public var compressedBytesConsumed: Int64 { inputBase + Int64(inputStart) }
    public private(set) var members = 0

    private enum Mode { case undetermined, plain, gzip }

    public init(_ upstream: ByteSource, bufferSize: Int = 256 * 1024) {
        self.upstream = upstream
        self.input = .allocate(byteCount: bufferSize, alignment: 16)
    }

    deinit {
        if mode == .gzip { inflateEnd(&stream) }
        input.deallocate()
    }

    /// Refills the input buffer, keeping unconsumed bytes; returns false at end of upstream.
    private func refill() throws -> Bool {
        if upstreamEnded { return false }
        if inputStart > 0 {
            let remaining = inputEnd - inputStart
            if remaining > 0 {
                input.baseAddress!.copyMemory(from: input.baseAddress! + inputStart, byteCount: remaining)
            }
            inputBase += Int64(inputStart)
            inputStart = 0
            inputEnd = remaining
        }
        guard inputEnd < input.count else { return true }
        let n = try upstream.read(into: UnsafeMutableRawBufferPointer(rebasing: input[inputEnd...]))
        if n == 0 {
            upstreamEnded = true
            return false
        }
        inputEnd += n
        return true
    }

    private func determineMode() throws {
        while inputEnd - inputStart < 2, try refill() {}
        if inputEnd - inputStart >= 2, input[inputStart] == 0x1f, input[inputStart + 1] == 0x8b {
            mode = .gzip
            // 15 window bits + 16: gzip wrapper only, so a plain deflate or zlib stream is not mistaken for one.
            let status = czlib_inflateInit2(&stream, 15 + 16)
            precondition(status == Z_OK, "zlib inflateInit2 failed: \(status)")
            members = 1
        } else {
            mode = .plain
        }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if mode == .undetermined { try determineMode() }
        if finished || buffer.count == 0 { return 0 }
        switch mode {
        case .plain:
            if inputEnd > inputStart {
                let n = min(buffer.count, inputEnd - inputStart)
                buffer.baseAddress!.copyMemory(from: input.baseAddress! + inputStart, byteCount: n)
                inputStart += n
                return n
            }
            let n = try upstream.read(into: buffer)
            inputBase += Int64(n)
            if n == 0 { finished = true }
            return n
        case .gzip:
            return try inflate(into: buffer)
        case .undetermined:
            return 0
        }
    }

    private func inflate(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var produced = 0
        while produced == 0 {
            if inputStart == inputEnd, !(try refill()) {
                // Upstream ended inside a member.
                markDamaged("the gzip stream ends in the middle of a member (truncated file)")
                return 0
            }
            stream.next_in = (input.baseAddress! + inputStart).assumingMemoryBound(to: Bytef.self)
            stream.avail_in = uInt(inputEnd - inputStart)
            stream.next_out = (buffer.baseAddress! + produced).assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(buffer.count - produced)
            let status = CZlib.inflate(&stream, Z_NO_FLUSH)
            let consumed = (inputEnd - inputStart) - Int(stream.avail_in)
            inputStart += consumed
            produced = buffer.count - Int(stream.avail_out)
            switch status {
            case Z_OK, Z_BUF_ERROR:
                if status == Z_BUF_ERROR, consumed == 0, produced == 0, inputStart < inputEnd {
                    markDamaged("zlib could not make progress")
                    return 0
                }
                continue
            case Z_STREAM_END:
                try startNextMemberOrFinish()
                if finished || damage != nil { return produced }
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                markDamaged("corrupt gzip data (\(message))")
                return produced
            }
        }
        return produced
    }

    /// After a member ends: another member follows, the file ends, or trailing bytes are damage.
    private func startNextMemberOrFinish() throws {
        while inputEnd - inputStart < 2, try refill() {}
        let available = inputEnd - inputStart
        if available == 0 {
            finished = true
            return
        }
        if available >= 2, input[inputStart] == 0x1f, input[inputStart + 1] == 0x8b {
            inflateReset(&stream)
            members += 1
            return
        }
        // Zero padding after the last member (some tools pad to a block size) is harmless.
        if try skipZeroPadding() {
            finished = true
            return
        }
        markDamaged("unexpected bytes after gzip member \(members) (not another gzip member)")
    }

    private func skipZeroPadding() throws -> Bool {
        while true {
            while inputStart < inputEnd {
                if input[inputStart] != 0 { return false }
                inputStart += 1
            }
            if !(try refill()) { return true }
        }
    }

    private func markDamaged(_ reason: String) {
        damage = StreamDamage(compressedOffset: compressedBytesConsumed, reason: reason)
        finished = true
    }
}
