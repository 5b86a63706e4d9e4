import Foundation
import GRDB
import Testing
import TestSupport
@testable import CTRKit

/// The checkpointer thread copies the log into the database at its interval, and at once when
/// woken: ingest wakes it after the load's last commit, so that the load's pages are copied
/// while the chain stage runs instead of by the close after it.
@Suite struct CheckpointerTests {
    /// A database in WAL mode whose log holds a committed 256 KB row, not yet in the file.
    private static func databaseWithALog(_ folder: TemporaryFolder) throws -> (DatabaseQueue, String) {
        let path = folder.file("log.db")
        var config = Configuration()
        config.journalMode = .wal
        let queue = try DatabaseQueue(path: path, configuration: config)
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = 0; CREATE TABLE t (x BLOB)") }
        try queue.write { db in try db.execute(sql: "INSERT INTO t VALUES (zeroblob(262144))") }
        return (queue, path)
    }

    /// Waits up to `seconds` for the database file to hold the row.
    private static func waitForTheRow(in path: String, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if DatabaseOpener.fileSize(of: path) >= 262_144 { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return false
    }

    @Test func aWokenCheckpointerCopiesTheLogAtOnce() throws {
        let folder = try TemporaryFolder()
        let (queue, path) = try Self.databaseWithALog(folder)
        let checkpointer = Checkpointer(databasePath: path, interval: 3_600)
        defer { checkpointer.stop() }
        #expect(DatabaseOpener.fileSize(of: path) < 262_144, "the row is only in the log")
        checkpointer.wake()
        #expect(Self.waitForTheRow(in: path, seconds: 20))
        withExtendedLifetime(queue) {}
    }

    @Test func unwokenItWaitsForItsInterval() throws {
        let folder = try TemporaryFolder()
        let (queue, path) = try Self.databaseWithALog(folder)
        let checkpointer = Checkpointer(databasePath: path, interval: 3_600)
        #expect(!Self.waitForTheRow(in: path, seconds: 0.5))
        checkpointer.stop()
        #expect(DatabaseOpener.fileSize(of: path) < 262_144)
        withExtendedLifetime(queue) {}
    }
}
