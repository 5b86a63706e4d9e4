/// A chunk of input that is not a record, with what the `rejects` table keeps of it.
public struct RejectedChunk: Sendable, Equatable {
    public var offset: Int64
    /// Length in the stream; may exceed `bytes.count` for oversized chunks and long garbage runs.
    public var length: Int64
    public var reason: String
    public var bytes: [UInt8]
}

/// What the decode stage hands to the load stage.
public enum StreamItem: Sendable {
    case record(ContactRecord)
    case reject(RejectedChunk)
}

/// Frames and decodes a byte stream into records and rejects, resynchronising after damage:
/// when a chunk does not decode, the records that start inside it are framed again, so one
/// bad record does not take its good neighbours with it.
public final class RecordStream {
    private var framers: [RecordFramer]
    /// The framer over the source itself; kept after the stream ends, so `position` stays valid.
    private let outer: RecordFramer
    private let maxRecordSize: Int
    private let rewrite: ((ContactRecord) -> ContactRecord)?
    private let memory = DecoderMemory()

    /// `rewrite`, when given, transforms each record before it leaves the stream (`--redact-phones`).
    public init(source: ByteSource, maxRecordSize: Int = RecordFramer.defaultMaxRecordSize,
                rewrite: ((ContactRecord) -> ContactRecord)? = nil) {
        self.maxRecordSize = maxRecordSize
        self.rewrite = rewrite
        self.outer = RecordFramer(source: source, maxRecordSize: maxRecordSize)
        self.framers = [outer]
    }

    /// Decompressed bytes framed so far by the outer framer.
    public var position: Int64 { outer.position }

    public func next() throws -> StreamItem? {
        while let framer = framers.last {
            guard let chunk = try framer.next() else {
                framers.removeLast()
                continue
            }
            switch chunk.kind {
            case .object:
                do {
                    let record = try ContactDecoder.decode(chunk, memory: memory)
                    return .record(rewrite?(record) ?? record)
                } catch let error as DecodeError {
                    switch error {
                    case .missingContactId, .notAnObject:
                        return .reject(RejectedChunk(offset: chunk.offset, length: chunk.streamLength, reason: error.localizedDescription, bytes: chunk.bytes))
                    case .invalidJSON, .invalidUTF8, .tooDeep:
                        return resync(chunk, reason: error.localizedDescription)
                    }
                }
            case .unterminated:
                return resync(chunk, reason: "the input ends inside this record (truncated)")
            case let .brokenObject(reason):
                return resync(chunk, reason: "the record is cut short by \(reason)")
            case let .oversized(total):
                return .reject(RejectedChunk(offset: chunk.offset, length: total, reason: "the record is \(total) bytes, over the limit of \(maxRecordSize) (--max-record-size); only its first \(chunk.bytes.count) bytes are kept here", bytes: chunk.bytes))
            case let .garbage(total):
                let kept = total > Int64(chunk.bytes.count) ? "; only its first \(chunk.bytes.count) bytes are kept here" : ""
                return .reject(RejectedChunk(offset: chunk.offset, length: total, reason: "\(total) bytes that are not JSON between records\(kept)", bytes: chunk.bytes))
            }
        }
        return nil
    }

    /// Rejects the chunk up to the first place a record may start again, and frames the rest anew.
    private func resync(_ chunk: FramedChunk, reason: String) -> StreamItem {
        guard let restart = Resync.restartPosition(in: chunk.bytes) else {
            return .reject(RejectedChunk(offset: chunk.offset, length: chunk.streamLength, reason: reason, bytes: chunk.bytes))
        }
        let rest = MemorySource(chunk.bytes[restart...])
        framers.append(RecordFramer(source: rest, maxRecordSize: maxRecordSize, baseOffset: chunk.offset + Int64(restart), readSize: max(64, chunk.bytes.count - restart)))
        return .reject(RejectedChunk(offset: chunk.offset, length: Int64(restart), reason: reason + "; reading resumed at byte \(chunk.offset + Int64(restart))", bytes: Array(chunk.bytes[..<restart])))
    }
}
