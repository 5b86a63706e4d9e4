import Foundation
import GRDB

/// Copies the write-ahead log into the database file from a thread of its own while an
/// ingest runs, so that the loading thread only appends to the log: half of all the bytes a
/// load writes move off the critical path. SQLite allows a passive checkpoint to run beside
/// a writer on another connection; the writer's own automatic checkpoints are turned off
/// for the run.
final class Checkpointer {
    private let condition = NSCondition()
    private var stopped = false
    private var woken = false
    private var thread: Thread?

    init(databasePath: String, interval: TimeInterval = 0.25) {
        let thread = Thread { [condition] in
            var config = Configuration()
            config.busyMode = .timeout(1)
            guard let queue = try? DatabaseQueue(path: databasePath, configuration: config) else { return }
            while true {
                condition.lock()
                if !self.stopped, !self.woken { _ = condition.wait(until: Date().addingTimeInterval(interval)) }
                let stop = self.stopped
                self.woken = false
                condition.unlock()
                if stop { return }
                _ = try? queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(PASSIVE)") }
            }
        }
        thread.name = "ctrdb.checkpoint"
        self.thread = thread
        thread.start()
    }

    /// Starts a checkpoint now (a commit just wrote much to the log), not at the next interval.
    func wake() {
        condition.lock()
        woken = true
        condition.broadcast()
        condition.unlock()
    }

    /// Stops the thread and waits for it.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
        while thread?.isFinished == false { Thread.sleep(forTimeInterval: 0.005) }
    }
}

/// How far the write-ahead log may grow while an ingest runs, and the loading connection's
/// page cache, which share one bound: SPEC section 7's 256 MB or a quarter of the database,
/// whichever is more, less a 20% margin.
///
/// A batch closes when the log passes `limit`, and commits what the cache still holds dirty,
/// so the log's peak is about the limit plus the cache.
/// - A large cache: the indexes keyed by random ids (contact ids, chain ids) take an insert
///   on any of their leaf pages. A cache smaller than them evicts pages a batch dirtied, reads
///   them back and spills them again: at 27 days of history a night rewrote each page of the
///   log 2.5 times in a 64 MB cache.
/// - A large limit: every batch rewrites each leaf page it touched, so fewer batches write
///   less. At 27 days, a night cut into 64 MB batches wrote 0.55 GB, in one batch 0.48 GB.
struct LogBudget {
    /// The most the cache takes: peak memory stays under SPEC section 7's 256 MB, with 15% to
    /// spare (217 MB). The 90-day first load, its sort's freed memory returned first
    /// (`Schema.withBoundedSorter`), peaked at 210 to 218 MB with 140 MB and at 197 to 202 MB
    /// with 128 MB, in 4 interleaved pairs each as fast (0.88x to 1.13x, median 0.98x).
    /// Only a database over 1.28 GB gets this much (`bound`).
    static let maxCacheBytes: Int64 = 128 << 20

    /// Tests: replaces the limit, and caps the cache with it.
    let fixedLimit: Int64?

    /// The cache for a database of `databaseBytes`.
    func cacheBytes(databaseBytes: Int64) -> Int64 {
        min(Self.maxCacheBytes, Self.bound(databaseBytes) / 2, fixedLimit ?? .max)
    }

    /// The log size at which a batch closes, for a database of `databaseBytes`.
    func limit(databaseBytes: Int64) -> Int64 {
        fixedLimit ?? Self.bound(databaseBytes) - cacheBytes(databaseBytes: databaseBytes)
    }

    /// SPEC section 7's bound on the log, less the margin.
    static func bound(_ databaseBytes: Int64) -> Int64 {
        max(256 << 20, databaseBytes / 4) / 5 * 4
    }
}
