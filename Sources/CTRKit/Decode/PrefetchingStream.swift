import Foundation

/// One input's records, read, framed and decoded on the run's `DecodingThread` after the inputs
/// submitted before it, and handed to the loading thread in batches.
///
/// Memory is bounded: a batch waits for room while the thread's streams hold
/// `DecodingThread.maxWaitingRecords` records. The stream is decoded until it ends or `cancel()`
/// is called (the owner cancels when it stops reading early, or drops an input opened ahead).
public final class PrefetchingStream {
    private let thread: DecodingThread
    private var condition: NSCondition { thread.condition }
    private var batches: [[StreamItem]] = []
    private var finished = false
    private var failure: Error?
    private var cancelled = false
    /// The batch being read, last item first: `next` moves each item out of it (`popLast`)
    /// instead of copying it, which retained every string of the record, then released it again.
    private var current: [StreamItem] = []
    private static let batchSize = 256
    private var progress: Int64 = 0

    /// `progress` is evaluated on the decoding thread after each batch (for example bytes read);
    /// `latestProgress` hands its latest value to the loading thread.
    init(_ stream: RecordStream, on thread: DecodingThread, progress: @escaping () -> Int64 = { 0 }) {
        self.thread = thread
        thread.submit { [self] in
            guard !isCancelled else { return end(failure: nil) }
            var batch: [StreamItem] = []
            do {
                while let item = try stream.next() {
                    batch.append(item)
                    if batch.count == Self.batchSize {
                        batch.reverse()
                        guard hand(batch, progress: progress()) else { return }
                        batch = []
                    }
                }
                if !batch.isEmpty {
                    batch.reverse()
                    _ = hand(batch, progress: progress())
                }
                end(failure: nil)
            } catch {
                end(failure: error)
            }
        }
    }

    private var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }

    /// Waits for room, then queues a batch (last item first); false when the consumer has gone away.
    /// (A stream with nothing waiting always has room, so the one being read never waits on the others.)
    private func hand(_ batch: [StreamItem], progress: Int64) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !batches.isEmpty && thread.waitingRecords + batch.count > DecodingThread.maxWaitingRecords && !cancelled {
            condition.wait()
        }
        if cancelled { return false }
        batches.append(batch)
        thread.waitingRecords += batch.count
        self.progress = progress
        condition.broadcast()
        return true
    }

    private func end(failure: Error?) {
        condition.lock()
        self.failure = failure
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// The decoding thread's last progress figure.
    public var latestProgress: Int64 {
        condition.lock()
        defer { condition.unlock() }
        return progress
    }

    public func next() throws -> StreamItem? {
        if let item = current.popLast() { return item }
        condition.lock()
        defer { condition.unlock() }
        while batches.isEmpty && !finished { condition.wait() }
        if batches.isEmpty {
            if let failure { throw failure }
            return nil
        }
        current = batches.removeFirst()
        thread.waitingRecords -= current.count
        condition.broadcast()
        return current.popLast()
    }

    /// Stops the decoding (for example when loading failed, or the input is dropped) and gives
    /// back the room its waiting records took.
    public func cancel() {
        condition.lock()
        cancelled = true
        thread.waitingRecords -= batches.reduce(0) { $0 + $1.count }
        batches = []
        condition.broadcast()
        condition.unlock()
    }
}
