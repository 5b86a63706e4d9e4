import Foundation
import GRDB

/// A new database's first load, built beside its path and moved into place when complete.
///
/// A database that does not exist yet has nothing to protect, so it is written without a
/// journal: no write-ahead log, no checkpoints, each page written once to the file instead of
/// to the log and then again into the database. The 7-day export's first load took 0.86 of the
/// time this way, 0.89 with `IdFilter` beside it (`docs/PERFORMANCE-LOG.md`). SPEC section 2 still
/// holds:
/// - **killed:** a run killed before the build is moved into place leaves only `<db>.building`,
///   which the next run starts again from scratch; the move is the build's commit;
/// - **two writers:** the builder holds an exclusive `flock` on the file for the whole build;
///   a second run waits for it (the busy timeout) and then loads into the finished database;
/// - **a failure that needs a rollback** (a file failing after its first records, a full disk)
///   cannot be undone without a journal: the build is thrown away and the run loads the
///   database in place, as for an existing one (`Ingest`).
///
/// Reports opened during the build find no database yet.
final class AsideBuild {
    /// The database's own path, and the file built beside it.
    let target: String
    let path: String
    /// Holds the lock for the whole build.
    private let lock: Int32
    private var queue: DatabaseQueue?
    /// The indexes still to build (`connect`, `loaded`, `finish`).
    private var deferred: DeferredIndexes?

    private init(target: String, path: String, lock: Int32) {
        self.target = target
        self.path = path
        self.lock = lock
    }

    deinit { close(lock) }

    static func path(for target: String) -> String { target + ".building" }

    /// The files SQLite may keep beside a database.
    private static func companions(of path: String) -> [String] {
        ["-journal", "-wal", "-shm"].map { path + $0 }
    }

    /// Starts the build when `target` is a plain path with no database at it yet; nil when the
    /// database exists (or appears while another run builds it): load in place.
    static func begin(target: String, busyTimeoutSeconds: Double) throws -> AsideBuild? {
        // A URI or a special name is SQLite's to interpret.
        guard !target.hasPrefix("file:"), !target.hasPrefix(":"), !target.isEmpty else { return nil }
        let side = path(for: target)
        let deadline = ContinuousClock.now + .milliseconds(Int(busyTimeoutSeconds * 1000))
        while !FileManager.default.fileExists(atPath: target) {
            let fd = open(side, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            // A folder that cannot be written: the load in place says so.
            guard fd >= 0 else { return nil }
            if flock(fd, LOCK_EX | LOCK_NB) == 0 {
                // Still the file at that path? Another run may have moved its finished build
                // into place between the two calls.
                guard isFile(fd, at: side) else {
                    close(fd)
                    continue
                }
                // The database appeared meanwhile: this file (just created, or a leftover) goes.
                guard !FileManager.default.fileExists(atPath: target) else {
                    unlink(side)
                    close(fd)
                    return nil
                }
                // What a killed build left is started again.
                guard ftruncate(fd, 0) == 0 else {
                    close(fd)
                    return nil
                }
                for companion in companions(of: side) { unlink(companion) }
                return AsideBuild(target: target, path: side, lock: fd)
            }
            close(fd)
            // Another run is building it: wait, then load into what it built.
            guard ContinuousClock.now < deadline else {
                throw DatabaseError(resultCode: .SQLITE_BUSY, message: "another ingest is creating \(target)")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return nil
    }

    /// What is beside a path that has no database: a build under way (another run holds its
    /// lock), one a killed run left, or nothing.
    enum Leftover { case underWay, abandoned }

    static func leftover(at target: String) -> Leftover? {
        let fd = open(path(for: target), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return flock(fd, LOCK_SH | LOCK_NB) == 0 ? .abandoned : .underWay
    }

    private static func isFile(_ fd: Int32, at path: String) -> Bool {
        var opened = stat(), named = stat()
        guard fstat(fd, &opened) == 0, stat(path, &named) == 0 else { return false }
        return opened.st_dev == named.st_dev && opened.st_ino == named.st_ino
    }

    /// The connection to the file being built: schema created without the indexes that wait
    /// for the rows (`DeferredIndexes`), no journal.
    func connect(busyTimeoutSeconds: Double) throws -> DatabaseQueue {
        let queue = try DatabaseQueue(path: path, configuration: Schema.writerConfiguration(busyTimeoutSeconds: busyTimeoutSeconds, journal: false))
        self.queue = queue
        try Schema.migrate(queue)
        deferred = try queue.writeWithoutTransaction { try DeferredIndexes(dropping: $0) }
        return queue
    }

    /// The build is complete: its last indexes are built, the file becomes a WAL database as
    /// every other, reaches the disk, and takes the database's path.
    func finish() throws {
        if let queue {
            try queue.writeWithoutTransaction { db in
                try deferred?.create(in: db)
                try db.execute(sql: "PRAGMA journal_mode = WAL")
            }
            try queue.close()
            self.queue = nil
        }
        guard fsync(lock) == 0 else { throw posixError(errno, "sync \(path)") }
        // A link, not a rename: it never replaces a database created in place meanwhile (by a
        // run that found this build gone), and fails instead.
        guard link(path, target) == 0 else { throw posixError(errno, "move \(path) to \(target)") }
        unlink(path)
        let parent = (target as NSString).deletingLastPathComponent
        let folder = open(parent.isEmpty ? "." : parent, O_RDONLY | O_CLOEXEC)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
    }

    /// Throws the build away. The lock stays until the object goes: the caller keeps it while
    /// it creates the database in place, so that a waiting run then finds that database.
    func discard() {
        if let queue { try? queue.close() }
        queue = nil
        unlink(path)
        for companion in Self.companions(of: path) { unlink(companion) }
    }

    /// (`code` first: it is read before the message is built.)
    private func posixError(_ code: Int32, _ action: String) -> Error {
        DatabaseError(resultCode: .SQLITE_IOERR, message: "cannot \(action): \(String(cString: strerror(code)))")
    }
}
