import Foundation

/// The folder of nightly packs: `DIR/YYYY-MM-DD/` holds one day's files, `DIR/index.html`
/// lists the days.
///
/// A day's pack appears whole or not at all: its files are written into a hidden folder
/// beside it (`DIR/.YYYY-MM-DD.tmp-PID`), flushed, and renamed into place; an older pack of
/// that day is renamed away first and removed after, so a reader sees the old pack, briefly
/// none, or the new one, never a mix. `DIR/index.html` is rebuilt from the `summary.json` of
/// every pack in the folder and replaced by a rename too. Writers take an exclusive `flock`
/// on `DIR/.lock` for the whole update, so two nightly runs on one folder take turns, and
/// the leftovers of a killed run are removed by the next. Files whose bytes would not change
/// are not rewritten.
public struct DayPack: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// What writing a day did.
    public enum Outcome: Equatable, Sendable {
        case created
        case replaced
        /// The pack already held exactly these files; nothing was written.
        case unchanged
    }

    /// Writes `files` (name to bytes: the CSVs, `summary.json`, `index.html`) as the pack of
    /// `day`, replacing an older pack of that day, then brings `DIR/index.html` up to date.
    @discardableResult
    public func write(day: String, files: [String: [UInt8]]) throws -> Outcome {
        guard DayPack.isDay(day) else { throw PackError.invalidDay(day) }
        for name in files.keys where name.isEmpty || name.hasPrefix(".") || name.contains("/") || name.contains("\0") {
            throw PackError.invalidFileName(name)
        }
        try PackFiles.makeDirectories(directory)
        let lock = try FolderLock(path: path(".lock"))
        defer { lock.release() }
        try removeLeftovers()

        let final = path(day)
        let outcome: Outcome
        if let existing = try PackFiles.contents(ofFolder: final) {
            outcome = existing == files ? .unchanged : .replaced
        } else {
            outcome = .created
        }
        if outcome != .unchanged {
            try replace(final, day: day, with: files)
        }
        try writeIndex()
        return outcome
    }

    /// The pack of a rendered day: the reports' CSVs (file name to bytes) with the
    /// `summary.json` and `index.html` made from `day`.
    @discardableResult
    public func write(_ day: NightlyDay, reports: [String: [UInt8]]) throws -> Outcome {
        var files = reports
        files["summary.json"] = SummaryJSON.encode(day)
        files["index.html"] = Array(NightlyPage.render(day).utf8)
        return try write(day: day.day, files: files)
    }

    /// The days of the packs in the folder, with their summaries' all-queues figures.
    public func listing() throws -> DayListing {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var days: [DayListing.Day] = []
        for name in names where DayPack.isDay(name) && PackFiles.isDirectory(path(name)) {
            let summary = FileManager.default.contents(atPath: path(name) + "/summary.json").flatMap { try? SummaryJSON.decode(Array($0)) }
            days.append(DayListing.Day(day: name, timeZone: summary?.timeZone, figures: summary?.allQueues))
        }
        return DayListing(days: days)
    }

    private func path(_ name: String) -> String { directory + "/" + name }

    private func replace(_ final: String, day: String, with files: [String: [UInt8]]) throws {
        let staging = path(".\(day).tmp-\(getpid())")
        try PackFiles.makeDirectory(staging)
        do {
            for (name, bytes) in files.sorted(by: { $0.key < $1.key }) {
                try PackFiles.writeNew(staging + "/" + name, bytes)
            }
            try PackFiles.sync(staging)
            if PackFiles.isDirectory(final) {
                let old = path(".\(day).old-\(getpid())")
                try PackFiles.rename(final, to: old)
                do {
                    try PackFiles.rename(staging, to: final)
                } catch {
                    try? PackFiles.rename(old, to: final)
                    throw error
                }
                try? FileManager.default.removeItem(atPath: old)
            } else {
                try PackFiles.rename(staging, to: final)
            }
            try PackFiles.sync(directory)
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
    }

    private func writeIndex() throws {
        let page = Array(DayIndexPage.render(try listing()).utf8)
        let index = path("index.html")
        if let current = FileManager.default.contents(atPath: index), Array(current) == page { return }
        let temporary = path(".index.html.tmp-\(getpid())")
        unlink(temporary)
        do {
            try PackFiles.writeNew(temporary, page)
            try PackFiles.rename(temporary, to: index)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Staging and old folders of a run that was killed: no other writer is at work while
    /// the lock is held, so whatever is left is garbage.
    private func removeLeftovers() throws {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        where name.hasPrefix(".") && (name.contains(".tmp-") || name.contains(".old-")) {
            try? FileManager.default.removeItem(atPath: path(name))
        }
    }

    /// `YYYY-MM-DD` in digits (the command checks that it is a real date).
    static func isDay(_ text: String) -> Bool {
        let chars = Array(text.utf8)
        guard chars.count == 10, chars[4] == UInt8(ascii: "-"), chars[7] == UInt8(ascii: "-") else { return false }
        return chars.enumerated().allSatisfy { $0.offset == 4 || $0.offset == 7 || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0.element) }
    }
}

public enum PackError: Error, LocalizedError, Equatable {
    case invalidDay(String)
    case invalidFileName(String)
    case cannotWrite(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case let .invalidDay(day): return "invalid day \(day): a pack is named YYYY-MM-DD"
        case let .invalidFileName(name): return "invalid file name in a report pack: \(name) (no folder, no leading dot)"
        case let .cannotWrite(path, reason):
            return "cannot write the report pack at \(path): \(reason) (choose a folder you can write to)"
        }
    }
}

/// An exclusive `flock` on a file, held until released (or the process ends).
private final class FolderLock {
    private var descriptor: Int32

    init(path: String) throws {
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw PackError.cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                throw PackError.cannotWrite(path: path, reason: reason)
            }
        }
    }

    func release() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}

/// The file-system calls of the pack, each failure a `PackError` naming its path.
private enum PackFiles {
    static func failure(_ path: String) -> PackError { .cannotWrite(path: path, reason: String(cString: strerror(errno))) }

    static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }

    static func makeDirectory(_ path: String) throws {
        guard mkdir(path, 0o755) == 0 else { throw failure(path) }
    }

    /// `mkdir -p`.
    static func makeDirectories(_ path: String) throws {
        guard !isDirectory(path) else { return }
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0 && !(errno == EEXIST && isDirectory(prefix)) {
                throw errno == EEXIST ? PackError.cannotWrite(path: path, reason: "\(prefix) is not a folder") : failure(path)
            }
        }
    }

    /// Creates `path` (which must not exist), writes every byte and flushes it to disk.
    static func writeNew(_ path: String, _ bytes: [UInt8]) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure(path) }
        if let reason = bytes.withUnsafeBytes({ writeFully(descriptor, $0) }) {
            close(descriptor)
            throw PackError.cannotWrite(path: path, reason: reason)
        }
        guard fsync(descriptor) == 0, close(descriptor) == 0 else { throw failure(path) }
    }

    static func rename(_ from: String, to: String) throws {
        guard Foundation.rename(from, to) == 0 else { throw failure(to) }
    }

    /// Flushes a folder's entries (the names of the files renamed into it).
    static func sync(_ path: String) throws {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure(path) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure(path) }
    }

    /// The files of a pack folder, or nil when there is none. A pack is a handful of small
    /// files (a day's reports), so reading them whole is bounded.
    static func contents(ofFolder path: String) throws -> [String: [UInt8]]? {
        guard isDirectory(path) else { return nil }
        var files: [String: [UInt8]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: path) {
            guard let data = FileManager.default.contents(atPath: path + "/" + name) else { return [:] }
            files[name] = Array(data)
        }
        return files
    }
}
