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
    private var thread: Thread?

    init(databasePath: String, interval: TimeInterval = 0.25) {
        let thread = Thread { [condition] in
            var config = Configuration()
            config.busyMode = .timeout(1)
            guard let queue = try? DatabaseQueue(path: databasePath, configuration: config) else { return }
            while true {
                condition.lock()
                if !self.stopped { _ = condition.wait(until: Date().addingTimeInterval(interval)) }
                let stop = self.stopped
                condition.unlock()
                if stop { return }
                _ = try? queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(PASSIVE)") }
            }
        }
        thread.name = "ctrdb.checkpoint"
        self.thread = thread
        thread.start()
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
