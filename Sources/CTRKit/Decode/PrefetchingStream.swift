import Foundation

/// Runs the read, frame and decode stages on a thread of their own, so that inflating and
/// decoding one batch overlaps with loading the previous one into SQLite: the two halves of
/// the pipeline each get a core.
///
/// Memory is bounded: at most `depth` batches of `batchSize` records wait between the threads.
/// The thread holds the stream until it ends or `cancel()` is called (the owner cancels when
/// it stops reading early).
public final class PrefetchingStream {
    private let condition = NSCondition()
    private var batches: [[StreamItem]] = []
    private var finished = false
    private var failure: Error?
    private var cancelled = false
    private var current: [StreamItem] = []
    private var index = 0
    private let batchSize = 256
    private let depth = 8
    private var progress: Int64 = 0

    /// `progress` is evaluated on the decoding thread after each batch (for example bytes read);
    /// `latestProgress` hands its latest value to the loading thread.
    public init(_ stream: RecordStream, progress: @escaping () -> Int64 = { 0 }) {
        let batchSize = self.batchSize
        let thread = Thread { [condition] in
            var batch: [StreamItem] = []
            batch.reserveCapacity(batchSize)
            do {
                while let item = try stream.next() {
                    batch.append(item)
                    if batch.count == batchSize {
                        guard self.hand(batch, progress: progress()) else { return }
                        batch = []
                        batch.reserveCapacity(batchSize)
                    }
                }
                if !batch.isEmpty { _ = self.hand(batch, progress: progress()) }
                condition.lock()
                self.finished = true
                condition.broadcast()
                condition.unlock()
            } catch {
                condition.lock()
                self.failure = error
                self.finished = true
                condition.broadcast()
                condition.unlock()
            }
        }
        thread.name = "ctrdb.decode"
        thread.stackSize = 4 << 20
        thread.start()
    }

    /// Waits for room, then queues a batch; false when the consumer has gone away.
    private func hand(_ batch: [StreamItem], progress: Int64) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while batches.count >= depth && !cancelled { condition.wait() }
        if cancelled { return false }
        batches.append(batch)
        self.progress = progress
        condition.broadcast()
        return true
    }

    /// The decoding thread's last progress figure.
    public var latestProgress: Int64 {
        condition.lock()
        defer { condition.unlock() }
        return progress
    }

    public func next() throws -> StreamItem? {
        if index < current.count {
            defer { index += 1 }
            return current[index]
        }
        condition.lock()
        defer { condition.unlock() }
        while batches.isEmpty && !finished { condition.wait() }
        if batches.isEmpty {
            if let failure { throw failure }
            return nil
        }
        current = batches.removeFirst()
        condition.broadcast()
        index = 1
        return current[0]
    }

    /// Stops the producer (for example when loading failed) and waits for nothing more.
    public func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
