import CSQLiteSettings
import Foundation
import GRDB

/// Opening the database: for writing (creating or migrating it) and for reading.
public enum DatabaseOpener {
    /// SQLite's process-wide settings for a program that opens its connections through GRDB
    /// (see `ctrdb_configure_sqlite`): the binary calls it first thing. Without it (tests, other
    /// programs using CTRKit) SQLite stays in its serialized mode, only slower.
    public static func configureSQLiteForThisProcess() {
        _ = ctrdb_configure_sqlite()
    }

    /// Opens (creating or migrating) the database for writing.
    ///
    /// Switching a new database to WAL takes a lock that SQLite's busy timeout does not wait
    /// for, so a run that starts while another is creating the database retries the opening
    /// itself, within the same timeout.
    public static func writer(at path: String, busyTimeoutSeconds: Double = 600) throws -> DatabaseQueue {
        let deadline = ContinuousClock.now + .milliseconds(Int(busyTimeoutSeconds * 1000))
        while true {
            do {
                let queue = try DatabaseQueue(path: path, configuration: Schema.writerConfiguration(busyTimeoutSeconds: busyTimeoutSeconds))
                try Schema.migrate(queue)
                return queue
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
                guard ContinuousClock.now < deadline else { throw error }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
    }

    /// Opens the database read-only, with the functions its views use.
    public static func reader(at path: String) throws -> DatabaseQueue {
        try DatabaseQueue(path: path, configuration: Schema.readerConfiguration())
    }

    /// The size of the database's write-ahead log, 0 when there is none.
    static func logSize(of path: String) -> Int64 {
        fileSize(of: path + "-wal")
    }

    /// The size of a file, 0 when there is none. (`stat` itself: ingest asks twice per file, and
    /// `FileManager.attributesOfItem` also looks up the owner's names, 30 µs a call here.)
    static func fileSize(of path: String) -> Int64 {
        var status = stat()
        guard stat(path, &status) == 0 else { return 0 }
        return Int64(status.st_size)
    }
}
