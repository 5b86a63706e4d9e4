/// What must hold for the records and rejects of any input, however damaged: checked by the
/// fuzzer (`make fuzz`) and by the regression tests over its corpus.
public enum StreamInvariants {
    /// Frames and decodes `bytes` (gzip or not) and returns the invariants it broke, if any.
    public static func violations(of bytes: [UInt8], maxRecordSize: Int = 4096) -> [String] {
        var problems: [String] = []
        let source = DecompressingSource(MemorySource(bytes))
        let stream = RecordStream(source: source, maxRecordSize: maxRecordSize)
        var lastOffset: Int64 = -1
        var items = 0
        do {
            while let item = try stream.next() {
                items += 1
                switch item {
                case let .record(record):
                    if record.offset < lastOffset { problems.append("record at \(record.offset) after an item at \(lastOffset)") }
                    lastOffset = record.offset
                    if record.contactId.isEmpty { problems.append("record at \(record.offset) accepted without ContactId") }
                    if !source.isGzip {
                        let raw = Array(record.rawJSON.utf8)
                        let start = Int(record.offset)
                        if start + raw.count > bytes.count || Array(bytes[start..<start + raw.count]) != raw {
                            problems.append("record at \(record.offset): raw text differs from the input")
                        }
                    }
                case let .reject(chunk):
                    if chunk.offset < lastOffset { problems.append("reject at \(chunk.offset) after an item at \(lastOffset)") }
                    if chunk.length <= 0 { problems.append("empty reject at \(chunk.offset)") }
                    lastOffset = chunk.offset
                }
                if items > 4 * bytes.count + 4 {
                    problems.append("more items than bytes: the stream does not advance")
                    break
                }
            }
        } catch {
            problems.append("reading from memory threw: \(error)")
        }
        // The decoder alone, on the whole input as one chunk: it may refuse, never crash.
        _ = try? ContactDecoder.decode(FramedChunk(kind: .object, bytes: bytes, offset: 0, contentHash: 0))
        return problems
    }
}
