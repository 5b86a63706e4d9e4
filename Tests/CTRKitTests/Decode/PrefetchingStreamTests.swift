import Foundation
import Testing
@testable import CTRKit

/// Inputs decoded ahead on one `DecodingThread`: each stream hands its records in order, the
/// records waiting over all streams stay within the bound, and a stream dropped unread lets the
/// ones after it through.
@Suite struct PrefetchingStreamTests {
    /// `count` small records, `prefix` in their ids.
    private func input(_ prefix: String, count: Int) -> RecordStream {
        let text = (0..<count).map { #"{"ContactId":"\#(prefix)-\#($0)","Channel":"VOICE"}"# }.joined(separator: "\n")
        return RecordStream(source: MemorySource(Array(text.utf8)))
    }

    private func ids(_ stream: PrefetchingStream) throws -> [String] {
        var ids: [String] = []
        while let item = try stream.next() {
            if case let .record(record) = item { ids.append(record.contactId) }
        }
        return ids
    }

    @Test func streamsOnOneThreadHandTheirRecordsInOrderWithinTheBound() throws {
        let thread = DecodingThread()
        defer { thread.finish() }
        let sizes = [3_000, 5, 6_000, 700, 0, 2_500]
        let streams = sizes.enumerated().map { PrefetchingStream(input("f\($0.offset)", count: $0.element), on: thread) }
        // Let the thread decode ahead as far as the bound allows.
        Thread.sleep(forTimeInterval: 0.3)
        for (index, stream) in streams.enumerated() {
            thread.condition.lock()
            let waiting = thread.waitingRecords
            thread.condition.unlock()
            // At most the bound, plus the first batch of the stream being decoded.
            #expect(waiting <= DecodingThread.maxWaitingRecords + 256)
            if index == 0 { #expect(waiting >= DecodingThread.maxWaitingRecords - 256, "the thread did not decode ahead") }
            #expect(try ids(stream) == (0..<sizes[index]).map { "f\(index)-\($0)" })
        }
        thread.condition.lock()
        #expect(thread.waitingRecords == 0)
        thread.condition.unlock()
    }

    @Test func aStreamDroppedUnreadLetsTheNextOnesThrough() throws {
        let thread = DecodingThread()
        defer { thread.finish() }
        let first = PrefetchingStream(input("a", count: 100), on: thread)
        let dropped = PrefetchingStream(input("b", count: 20_000), on: thread)
        let last = PrefetchingStream(input("c", count: 300), on: thread)
        #expect(try ids(first).count == 100)
        Thread.sleep(forTimeInterval: 0.1)
        dropped.cancel()
        #expect(try ids(last) == (0..<300).map { "c-\($0)" })
        thread.condition.lock()
        #expect(thread.waitingRecords == 0)
        thread.condition.unlock()
    }
}
